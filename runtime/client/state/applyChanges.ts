import {
  compareRevisions,
  isNewerRevision,
  type NackReason,
  type ParameterChange,
  type Revision,
} from "../../protocol";
import type { ChangeVia, ConfigChange } from "../types";
import type { ConfigRules } from "./configRules";
import {
  frozenRecord,
  revisionOf,
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

/** The outcome of {@link applyChanges}. */
export interface AppliedBatch {
  /** The new state, or the same object when nothing was applied. */
  readonly state: ConfigState;
  /** One result per candidate, in order. */
  readonly results: readonly ChangeResult[];
  /** The keys whose value changed (one per key, previous → final), for change listeners. */
  readonly changes: readonly ConfigChange[];
}

/** Working copies of the state's maps, made on the first write of a batch. */
class Draft {
  public held: Map<string, HeldEntry> | undefined;
  public tombstones: Map<string, SeenRevision> | undefined;
  public refused: Map<string, RefusedRevision> | undefined;
  public readonly parsed = new Map<string, unknown>();
  public readonly touched = new Set<string>();
  public readonly lastVia = new Map<string, ChangeVia>();

  public constructor(private readonly base: ConfigState) {}

  public heldOf(key: string): HeldEntry | undefined {
    return (this.held ?? this.base.held).get(key);
  }
  public tombstoneOf(key: string): SeenRevision | undefined {
    return (this.tombstones ?? this.base.tombstones).get(key);
  }
  public refusedOf(key: string): RefusedRevision | undefined {
    return (this.refused ?? this.base.refused).get(key);
  }
  public writeHeld(): Map<string, HeldEntry> {
    this.held ??= new Map(this.base.held);
    return this.held;
  }
  public writeTombstones(): Map<string, SeenRevision> {
    this.tombstones ??= new Map(this.base.tombstones);
    return this.tombstones;
  }
  public writeRefused(): Map<string, RefusedRevision> {
    this.refused ??= new Map(this.base.refused);
    return this.refused;
  }
}

/**
 * Offers a batch of changes to a state and returns the state to swap in: every candidate is
 * validated first, then all accepted ones land in ONE new state. Versions only move forward: a
 * change is compared (`isNewerRevision`) with what is held, with the tombstone of a deleted key
 * and with the newest refused revision; a reload's change (`authoritativeSince`) only with what
 * was recorded after its load began: SSM is the truth. The same revision is `unchanged`; a refused
 * change keeps the old value. Pure: no I/O, the clock is `now`.
 */
export function applyChanges(
  state: ConfigState,
  candidates: readonly CandidateChange[],
  rules: ConfigRules,
  now: number,
): AppliedBatch {
  const draft = new Draft(state);
  const results = candidates.map((candidate) => offer(draft, candidate, rules, now));
  if (draft.held === undefined && draft.tombstones === undefined) {
    // Nothing applied; refused revisions are remembered without a new snapshot.
    return { state: draft.refused ? { ...state, refused: draft.refused } : state, results, changes: [] };
  }
  const held = draft.held ?? state.held;
  const changes: ConfigChange[] = [];
  for (const key of draft.touched) {
    const before = state.held.get(key);
    const after = held.get(key);
    if (before?.raw === after?.raw && (before === undefined) === (after === undefined)) continue;
    changes.push({
      key,
      name: rules.nameOf(key),
      previous: state.values[key],
      value: draft.parsed.get(key),
      version: after?.version ?? before?.version ?? 0,
      deleted: after === undefined,
      via: draft.lastVia.get(key) ?? "stream",
    });
  }
  const valuesChanged = changes.length > 0;
  return {
    state: {
      values: valuesChanged ? mergeRecord(state.values, draft.parsed) : state.values,
      raws: valuesChanged
        ? frozenRecord([...held.values()].map((entry) => [entry.key, entry.raw] as const))
        : state.raws,
      held,
      tombstones: draft.tombstones ?? state.tombstones,
      refused: draft.refused ?? state.refused,
    },
    results,
    changes,
  };
}

/** Decides one candidate against the draft and records it there when accepted. */
function offer(draft: Draft, candidate: CandidateChange, rules: ConfigRules, now: number): ChangeResult {
  const { change } = candidate;
  const key = rules.keyOf(change.name);
  const heldNow = key === undefined ? undefined : draft.heldOf(key);
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

  const tombstone = draft.tombstoneOf(key);
  let refused = draft.refusedOf(key);
  const since = candidate.authoritativeSince;
  if (since !== undefined && refused && refused.seenAt < since && compareRevisions(change, refused) !== 0) {
    // SSM no longer (or never) had the refused revision: nothing is held back any more.
    draft.writeRefused().delete(key);
    refused = undefined;
  }
  if (heldNow && compareRevisions(change, heldNow) === 0 && change.operation !== "Delete")
    return { status: "unchanged", candidate, version: heldNow.version };
  if (!heldNow && tombstone && change.operation === "Delete" && compareRevisions(change, tombstone) >= 0) {
    // Already deleted: a duplicate, or a later delete that removes nothing more.
    if (compareRevisions(change, tombstone) > 0) draft.writeTombstones().set(key, seen(change, now));
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
  const parsed = rules.parse(key, deleting ? undefined : change.value);
  if (!parsed.ok) {
    const detail = deleting ? `${key} is required and cannot be deleted: ${parsed.detail}` : `${key}: ${parsed.detail}`;
    draft.writeRefused().set(key, { ...seen(change, now), detail });
    return refuse("VALIDATION_FAILED", detail);
  }

  draft.touched.add(key);
  draft.lastVia.set(key, candidate.via);
  draft.parsed.set(key, parsed.value);
  if (refused) draft.writeRefused().delete(key);
  if (deleting) {
    draft.writeHeld().delete(key);
    draft.writeTombstones().set(key, seen(change, now));
    return { status: "applied", candidate, key, version: change.version, valueChanged: heldNow !== undefined };
  }
  if (tombstone) draft.writeTombstones().delete(key);
  draft.writeHeld().set(key, {
    name: change.name,
    key,
    type: change.type,
    raw: change.value as string,
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

/** A frozen copy of `base` with `updates` written over it. */
function mergeRecord(
  base: Readonly<Record<string, unknown>>,
  updates: ReadonlyMap<string, unknown>,
): Readonly<Record<string, unknown>> {
  // A plain loop: Object.assign from a prototype-less (dictionary) record takes V8's slow path, ~2-3× slower.
  const merged = Object.create(null) as Record<string, unknown>;
  for (const key in base) merged[key] = base[key];
  for (const [key, value] of updates) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return Object.freeze(merged);
}
