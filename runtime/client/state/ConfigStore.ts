import { compareRevisions, isNewerRevision, type ParameterChange } from "../../protocol";
import type { LoadedParameter } from "../ssm/loadParameters";
import type { ConfigChange, HeldBackInfo, HeldParameterInfo } from "../types";
import { commitChanges, decideChanges, newestSeen, type CandidateChange, type ChangeResult } from "./applyChanges";
import { BootLoader, type BootFallBack } from "./BootLoader";
import type { ConfigRules } from "./configRules";
import { emptyState, snapshotOf, type ConfigState, type HeldEntry } from "./configState";

/** The result of a candidate that is now held. */
export type AppliedResult = Extract<ChangeResult, { status: "applied" }>;

/** The result of a refused candidate. */
export type RefusedResult = Extract<ChangeResult, { status: "refused" }>;

/** What one batch did, sorted the way the client reports it. */
export interface StoreOutcome {
  /** One result per candidate, in order (what the `Refresh` RPC answers). */
  readonly results: readonly ChangeResult[];
  /** The candidates now held, also when only the version moved: each is acknowledged. */
  readonly applied: readonly AppliedResult[];
  /** How many candidates were already held at their revision. */
  readonly alreadyHeld: number;
  /** How many were older than what their key holds or has seen: ignored, never reported. */
  readonly stale: number;
  /** The refusals to report: each refused revision once (a repeat is left out). */
  readonly refused: readonly RefusedResult[];
  /** The keys whose value changed, for the change listeners (empty: the snapshot is the same). */
  readonly changes: readonly ConfigChange[];
}

/**
 * The one place that says which revision wins. Holds the instance's configuration state (with the
 * tombstones of deleted keys and the refused revisions), takes batches from the stream or the RPC
 * and the results of full reloads, writes each accepted batch in one synchronous step and answers
 * what was applied, refused or already held. No I/O, no clock of its own: the caller serializes
 * the calls and passes `now`.
 *
 * @example
 * ```ts
 * const store = new ConfigStore(new ConfigRules("/shop/beta/", schema, false));
 * const loader = store.bootLoader(Date.now());
 * await forEachParameter(ssm, "/shop/beta/", (parameter) => loader.add(parameter));
 * store.boot(loader);
 * const outcome = store.apply([{ change, via: "stream" }], Date.now());
 * ```
 */
export class ConfigStore {
  private current: ConfigState = emptyState();
  /** The snapshot of the values as they are now, once asked for; dropped by the next batch that changes one. */
  private frozen: Readonly<Record<string, unknown>> | undefined;

  public constructor(private readonly rules: ConfigRules) {}

  /** The parsed value of a key (its raw string for a key without schema); undefined when absent. */
  public value(key: string): unknown {
    const entry = this.current.held.get(key);
    return entry === undefined ? this.current.absent.get(key) : entry.value;
  }

  /** The value of a key as SSM stores it; undefined when absent. */
  public raw(key: string): string | undefined {
    return this.current.held.get(key)?.raw;
  }

  /**
   * Key → parsed value, frozen, without prototype: a copy made on the first call after a change
   * and shared until the next one, so a snapshot never changes and costs nothing per batch.
   */
  public snapshot(): Readonly<Record<string, unknown>> {
    this.frozen ??= snapshotOf(this.current);
    return this.frozen;
  }

  /** A loader for the start's parameters, each recorded as applied at `now`: fill it, then {@link boot}. */
  public bootLoader(now: number): BootLoader {
    return new BootLoader(this.rules, now);
  }

  /**
   * Holds what the start loaded (with the keys held back on an older version, `fallBack`) and
   * returns the entries held. Throws `ConfigValidationError` naming every missing or invalid key.
   */
  public boot(loaded: BootLoader, fallBack?: BootFallBack): readonly HeldEntry[] {
    this.current = loaded.finish(fallBack);
    this.frozen = undefined;
    return [...this.current.held.values()];
  }

  /**
   * The keys held back: the instance refused a newer revision than the one it holds (at start, SSM's
   * current value; later, a change from the stream, the RPC or a reload). A newer valid one clears it.
   */
  public heldBack(): HeldBackInfo[] {
    const { held, refused } = this.current;
    const back: HeldBackInfo[] = [];
    for (const [key, revision] of refused) {
      const entry = held.get(key);
      if (entry === undefined || compareRevisions(revision, entry) <= 0) continue;
      back.push({
        name: entry.name,
        key,
        version: entry.version,
        refusedVersion: revision.version,
        detail: revision.detail,
      });
    }
    return back.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** What the instance holds, sorted by name, as `state()` and the `State` RPC report it. */
  public heldParameters(): HeldParameterInfo[] {
    return [...this.current.held.values()]
      .map(({ name, key, type, version, modifiedAt, appliedAt, via }) => ({
        name,
        key,
        type,
        version,
        modifiedAt,
        appliedAt,
        via,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * True when a change carries no value (a SecureString) and is newer than anything held, deleted
   * or refused for its key: its value is worth an SSM read.
   */
  public needsValue(change: ParameterChange): boolean {
    if (change.operation === "Delete" || change.value !== undefined) return false;
    const key = this.rules.keyOf(change.name);
    if (key === undefined || !this.rules.accepts(key)) return false;
    const { held, tombstones, refused } = this.current;
    return isNewerRevision(change, newestSeen(held.get(key), tombstones.get(key), refused.get(key)));
  }

  /** Offers a batch from the stream or the RPC: every change validated first, then all written at once. */
  public apply(candidates: readonly CandidateChange[], now: number): StoreOutcome {
    const batch = decideChanges(this.current, candidates, this.rules, now);
    commitChanges(this.current, batch);
    if (batch.changes.length > 0) this.frozen = undefined;
    return outcomeOf(batch.results, batch.changes);
  }

  /**
   * What {@link apply} would answer for a batch, changing nothing: no write, no refusal remembered
   * (the `Validate` RPC).
   */
  public validate(candidates: readonly CandidateChange[], now: number): readonly ChangeResult[] {
    return decideChanges(this.current, candidates, this.rules, now).results;
  }

  /**
   * Offers a full load that began at `loadStartedAt`, as the truth: every parameter loaded replaces
   * the revision its key was recorded at before the load began, even one that looks newer (written
   * by hand to the stream); what was applied since is kept unless the load's is newer. Every held
   * key the load lacks is deleted, unless it changed or was applied after the load began.
   */
  public reload(loaded: readonly LoadedParameter[], loadStartedAt: number, now: number): StoreOutcome {
    const seen = new Set<string>();
    const candidates: CandidateChange[] = [];
    for (const { name, type, value, version, modifiedAt } of loaded) {
      const key = this.rules.keyOf(name);
      if (key === undefined || !this.rules.accepts(key)) continue;
      seen.add(key);
      candidates.push({
        change: { name, operation: "Update", version, type, value, modifiedAt, changedAt: modifiedAt },
        via: "reload",
        authoritativeSince: loadStartedAt,
      });
    }
    for (const entry of this.current.held.values()) {
      if (seen.has(entry.key) || entry.modifiedAt >= loadStartedAt || entry.appliedAt >= loadStartedAt) continue;
      candidates.push({
        // The tombstone sits just after the held revision: it stops late copies of it, not a later re-creation.
        change: {
          name: entry.name,
          operation: "Delete",
          version: entry.version,
          type: entry.type,
          modifiedAt: entry.modifiedAt + 1,
          changedAt: loadStartedAt,
        },
        via: "reload",
        authoritativeSince: loadStartedAt,
      });
    }
    return this.apply(candidates, now);
  }
}

/** Sorts the results of a batch: applied, already held, stale, refused (reported once per revision). */
function outcomeOf(results: readonly ChangeResult[], changes: readonly ConfigChange[]): StoreOutcome {
  const applied: AppliedResult[] = [];
  const refused: RefusedResult[] = [];
  let alreadyHeld = 0;
  let stale = 0;
  for (const result of results) {
    if (result.status === "applied") applied.push(result);
    else if (result.status === "unchanged") alreadyHeld++;
    else if (result.reason === "OLDER_VERSION") stale++;
    else if (!result.repeated) refused.push(result);
  }
  return { results, applied, alreadyHeld, stale, refused, changes };
}
