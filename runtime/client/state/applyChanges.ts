import {
  compareRevisions,
  isNewerRevision,
  type NackReason,
  type ParameterChange,
  type Revision,
} from "../../protocol";
import type { ValidatedValue } from "../schema/validateValue";
import type { ChangeVia, ConfigChange } from "../types";
import type { ConfigRules } from "./configRules";
import {
  revisionOf,
  currentValue,
  type ConfigState,
  type HeldEntry,
  type RefusedRevision,
  type SeenRevision,
} from "./configState";

/**
 * How far ahead of this instance's clock a change delivered by the stream or the RPC may claim to
 * have been modified (SSM's clock and ours differ by far less). Beyond it the change is refused:
 * one forged far-future revision would otherwise wedge the key, every real version looking older.
 */
export const MAX_CLOCK_AHEAD_MS = 60 * 60_000;

/** A change offered to the state, with where it came from. */
export interface CandidateChange {
  /** The change; for a SecureString, `value` is the one read from SSM (absent when the read failed). */
  readonly change: ParameterChange;
  readonly via: ChangeVia;
  /** When the Lambda published it (stream) or sent the call (RPC), epoch ms. */
  readonly publishedAt?: number;
  /** The stream entry id that carried it. */
  readonly streamId?: string;
  /** Why the value could not be read from SSM (SecureString), when it could not. */
  readonly fetchError?: string;
  /**
   * Set by a full reload: SSM's revision, read by a load that began at this time (epoch ms). It
   * replaces whatever the key was recorded at before then, newer-looking or not.
   */
  readonly authoritativeSince?: number;
  /** Why a `Refresh` change is not what the pipeline published (`PublishedChangeCheck`), when it is not. */
  readonly unpublished?: string;
}

/** What happened to one candidate. */
export type ChangeResult =
  /** Now held (also when only the version moved). */
  | {
      readonly status: "applied";
      readonly candidate: CandidateChange;
      readonly key: string;
      readonly version: number;
      readonly valueChanged: boolean;
    }
  /** Already held: the same revision. */
  | { readonly status: "unchanged"; readonly candidate: CandidateChange; readonly version: number }
  /** Refused; `repeated` when this very revision was refused before (report it once). */
  | {
      readonly status: "refused";
      readonly candidate: CandidateChange;
      readonly version: number;
      readonly reason: NackReason;
      readonly detail: string;
      readonly repeated: boolean;
    };

/** A batch decided against a state: what each candidate gets, and the writes that make it so. */
export interface DecidedBatch {
  /** One result per candidate, in order. */
  readonly results: readonly ChangeResult[];
  /** The keys whose value changed (one per key, previous → final), for change listeners. */
  readonly changes: readonly ConfigChange[];
  /** What {@link commitChanges} writes into the state. */
  readonly writes: BatchWrites;
}

/** Marks a key a batch removes from one of the state's maps. */
const REMOVED = null;

/** The writes of a batch not yet made, read before the state's own entries: deciding writes nothing. */
export class BatchWrites {
  public readonly held = new Map<string, HeldEntry | typeof REMOVED>();
  public readonly tombstones = new Map<string, SeenRevision | typeof REMOVED>();
  public readonly refused = new Map<string, RefusedRevision | typeof REMOVED>();
  /** Key → its parsed value after the batch, for every key the batch applied. */
  public readonly parsed = new Map<string, unknown>();
  public readonly lastVia = new Map<string, ChangeVia>();

  public constructor(private readonly base: ConfigState) {}

  public heldOf(key: string): HeldEntry | undefined {
    return readThrough(this.held, this.base.held, key);
  }
  public tombstoneOf(key: string): SeenRevision | undefined {
    return readThrough(this.tombstones, this.base.tombstones, key);
  }
  public refusedOf(key: string): RefusedRevision | undefined {
    return readThrough(this.refused, this.base.refused, key);
  }
}

/**
 * Decides a batch of changes against a state, writing nothing: every candidate is validated
 * first, and the accepted ones become the batch's writes, made together by {@link commitChanges}.
 * Versions only move forward: a change is compared (`isNewerRevision`) with what is held, with
 * the tombstone of a deleted key and with the newest refused revision; a reload's change
 * (`authoritativeSince`) only with what was recorded after its load began: SSM is the truth. The
 * same revision is `unchanged`; a refused change keeps the old value. No I/O, the clock is `now`.
 */
export function decideChanges(
  state: ConfigState,
  candidates: readonly CandidateChange[],
  rules: ConfigRules,
  now: number,
): DecidedBatch {
  const writes = new BatchWrites(state);
  const results = candidates.map((candidate) => offer(writes, candidate, rules, now));
  const changes: ConfigChange[] = [];
  for (const [key, value] of writes.parsed) {
    const before = state.held.get(key);
    const after = writes.heldOf(key);
    if (before?.raw === after?.raw && (before === undefined) === (after === undefined)) continue;
    changes.push({
      key,
      name: rules.nameOf(key),
      previous: currentValue(state, key),
      value,
      version: after?.version ?? before?.version ?? 0,
      deleted: after === undefined,
      via: writes.lastVia.get(key) ?? "stream",
    });
  }
  return { results, changes, writes };
}

/**
 * Writes a decided batch into the state it was decided against, in one synchronous step (no
 * callback runs meanwhile): a reader sees all of it or none. Costs the batch's size, not the state's.
 */
export function commitChanges(state: ConfigState, batch: DecidedBatch): void {
  const { writes } = batch;
  writeInto(state.held, writes.held);
  writeInto(state.tombstones, writes.tombstones);
  writeInto(state.refused, writes.refused);
  for (const { key, value, deleted } of batch.changes) {
    if (deleted && value !== undefined) state.absent.set(key, value);
    else state.absent.delete(key);
  }
}

/** Decides a batch against `state` and writes it there: {@link decideChanges}, then {@link commitChanges}. */
export function applyChanges(
  state: ConfigState,
  candidates: readonly CandidateChange[],
  rules: ConfigRules,
  now: number,
): DecidedBatch {
  const batch = decideChanges(state, candidates, rules, now);
  commitChanges(state, batch);
  return batch;
}

/** Decides one candidate against the batch so far and records it there when accepted. */
function offer(writes: BatchWrites, candidate: CandidateChange, rules: ConfigRules, now: number): ChangeResult {
  const { change } = candidate;
  const key = rules.keyOf(change.name);
  const heldNow = key === undefined ? undefined : writes.heldOf(key);
  const refuse = (reason: NackReason, detail: string, repeated = false): ChangeResult => ({
    status: "refused",
    candidate,
    version: heldNow?.version ?? 0,
    reason,
    detail,
    repeated,
  });

  if (key === undefined) return refuse("OUTSIDE_PREFIX", `${change.name} is not under ${rules.parameterPath}`);
  if (!rules.accepts(key)) return refuse("UNKNOWN_NAME", `${key} is not a key of this service's schema`);

  const tombstone = writes.tombstoneOf(key);
  let refused = writes.refusedOf(key);
  const since = candidate.authoritativeSince;
  if (since !== undefined && refused && refused.seenAt < since && compareRevisions(change, refused) !== 0) {
    // SSM no longer (or never) had the refused revision: nothing is held back any more.
    writes.refused.set(key, REMOVED);
    refused = undefined;
  }
  if (heldNow && compareRevisions(change, heldNow) === 0 && change.operation !== "Delete")
    return { status: "unchanged", candidate, version: heldNow.version };
  if (!heldNow && tombstone && change.operation === "Delete" && compareRevisions(change, tombstone) >= 0) {
    // Already deleted: a duplicate, or a later delete that removes nothing more.
    if (compareRevisions(change, tombstone) > 0) writes.tombstones.set(key, seen(change, now));
    return { status: "unchanged", candidate, version: 0 };
  }
  // The same reason again: a second path (the RPC after the stream) must tell the caller why, too.
  if (refused && compareRevisions(change, refused) === 0) return refuse("VALIDATION_FAILED", refused.detail, true);
  if (candidate.via !== "reload" && candidate.via !== "boot" && change.modifiedAt > now + MAX_CLOCK_AHEAD_MS) {
    // A revision from the future would make every real later version look older, reloads included.
    return refuse(
      "MALFORMED",
      `version ${change.version} of ${key} claims a modification time ${new Date(change.modifiedAt).toISOString()}, ` +
        `ahead of this instance's clock by more than ${MAX_CLOCK_AHEAD_MS / 60_000} minutes`,
    );
  }
  // A reload yields only to what the instance recorded after its load began (that may be newer than the load).
  const newest =
    since === undefined
      ? newestSeen(heldNow, tombstone, refused)
      : newestSeen(
          heldNow && heldNow.appliedAt >= since ? heldNow : undefined,
          tombstone && tombstone.seenAt >= since ? tombstone : undefined,
          refused,
        );
  if (!isNewerRevision(change, newest)) {
    return refuse(
      "OLDER_VERSION",
      `version ${change.version} of ${key} is older than version ${newest?.version ?? 0} already seen`,
    );
  }
  if (candidate.fetchError !== undefined) return refuse("FETCH_FAILED", candidate.fetchError);
  // Not remembered as refused: the real revision may still arrive.
  if (candidate.unpublished !== undefined) return refuse("NOT_PUBLISHED", candidate.unpublished);

  const deleting = change.operation === "Delete";
  if (!deleting && change.value === undefined)
    return refuse("MALFORMED", `a ${change.operation} of ${key} carries no value`);
  // The text held already (a version that moved alone): its parsed object stays, the same one for readers.
  const parsed: ValidatedValue =
    !deleting && heldNow !== undefined && heldNow.raw === change.value
      ? { ok: true, value: heldNow.value }
      : rules.parse(key, deleting ? undefined : change.value);
  if (!parsed.ok) {
    const detail = deleting ? `${key} is required and cannot be deleted: ${parsed.detail}` : `${key}: ${parsed.detail}`;
    writes.refused.set(key, { ...seen(change, now), detail });
    return refuse("VALIDATION_FAILED", detail);
  }

  writes.lastVia.set(key, candidate.via);
  writes.parsed.set(key, parsed.value);
  if (refused) writes.refused.set(key, REMOVED);
  if (deleting) {
    writes.held.set(key, REMOVED);
    writes.tombstones.set(key, seen(change, now));
    return { status: "applied", candidate, key, version: change.version, valueChanged: heldNow !== undefined };
  }
  if (tombstone) writes.tombstones.set(key, REMOVED);
  writes.held.set(key, {
    name: change.name,
    key,
    type: change.type,
    raw: change.value as string,
    value: parsed.value,
    version: change.version,
    modifiedAt: change.modifiedAt,
    appliedAt: now,
    via: candidate.via,
  });
  return { status: "applied", candidate, key, version: change.version, valueChanged: heldNow?.raw !== change.value };
}

/**
 * The newest revision a key is known at: held, deleted (its tombstone) or refused. A change wins
 * only when it is newer (`isNewerRevision`) than this one.
 */
export function newestSeen(
  held: HeldEntry | undefined,
  tombstone: Revision | undefined,
  refused: Revision | undefined,
): Revision | undefined {
  return [held && revisionOf(held), tombstone, refused].reduce<Revision | undefined>(
    (a, b) => (b === undefined ? a : a === undefined || compareRevisions(b, a) > 0 ? b : a),
    undefined,
  );
}

/** The revision of `change`, recorded at `now`. */
function seen(change: Revision, now: number): SeenRevision {
  return { version: change.version, modifiedAt: change.modifiedAt, seenAt: now };
}

/** The batch's write of `key` when it has one (a removal reads as absent), else the state's entry. */
function readThrough<T>(
  writes: ReadonlyMap<string, T | typeof REMOVED>,
  base: ReadonlyMap<string, T>,
  key: string,
): T | undefined {
  const written = writes.get(key);
  return written === undefined ? base.get(key) : (written ?? undefined);
}

/** Makes the batch's writes into one map of the state. */
function writeInto<T>(target: Map<string, T>, writes: ReadonlyMap<string, T | typeof REMOVED>): void {
  for (const [key, entry] of writes) {
    if (entry === REMOVED) target.delete(key);
    else target.set(key, entry);
  }
}
