import type { SSMClient } from "@aws-sdk/client-ssm";
import { toError } from "../common/errors";
import type { ChangeListeners } from "./listeners/ChangeListeners";
import type { ClientCounters } from "./observability/clientCounters";
import type { ClientEvents } from "./observability/clientEvents";
import type { ReloadSummary } from "./reload/reloader";
import { loadParameters } from "./ssm/loadParameters";
import { readSecureValues } from "./ssm/readSecureValues";
import type { CandidateChange, ChangeResult } from "./state/applyChanges";
import type { ConfigStore, StoreOutcome } from "./state/ConfigStore";
import type { Acknowledger } from "./stream/acknowledger";
import { appliedAcks } from "./stream/appliedAcks";
import { streamCandidates } from "./stream/streamCandidates";
import type { RawStreamEntry } from "./stream/streamReader";
import type { ReloadReason } from "./types";

/** What the applier works with: the client's store and the parts that hear of an outcome. */
export interface ChangeApplierParts<Snapshot> {
  readonly store: ConfigStore;
  readonly ssm: SSMClient;
  readonly parameterPath: string;
  readonly instanceId: string;
  readonly events: ClientEvents;
  readonly counters: ClientCounters;
  readonly listeners: ChangeListeners<Snapshot>;
  readonly acknowledger: Acknowledger | undefined;
  /** The snapshot the listeners receive after a swap. */
  snapshot(): Snapshot;
  /** Asks for a full reload: a SecureString value could not be read, the reload brings it. */
  requestReload(reason: "fetch-failed"): void;
}

/**
 * Carries changes from their sources to the {@link ConfigStore} and out again: stream entries,
 * `Refresh` calls and full reloads are offered one at a time, in order (SecureString values read
 * first), then each outcome is reported, acknowledged and handed to the change listeners.
 */
export class ChangeApplier<Snapshot> {
  /** When a swap last changed a value, epoch ms (0 when never). */
  public lastChangeAt = 0;
  private serial: Promise<unknown> = Promise.resolve();

  public constructor(private readonly parts: ChangeApplierParts<Snapshot>) {}

  /** Applies the changes of a batch of stream entries; an entry that cannot be read is reported and skipped. */
  public async applyStreamEntries(entries: readonly RawStreamEntry[]): Promise<void> {
    const candidates = streamCandidates(entries, (id, rejection, detail) => {
      this.parts.events.emit({ type: "entry-skipped", id, rejection, detail });
    });
    if (candidates.length > 0) await this.applyBatch(candidates);
  }

  /** Applies one batch (stream or RPC): validated first, then one swap. Answers per change, in order. */
  public applyBatch(candidates: readonly CandidateChange[]): Promise<readonly ChangeResult[]> {
    return this.serialize(async () => {
      const { ssm, store } = this.parts;
      const resolved = await readSecureValues(ssm, candidates, (change) => store.needsValue(change));
      const now = Date.now();
      return this.report(store.apply(resolved, now), now).results;
    });
  }

  /**
   * Answers a batch as {@link applyBatch} would, changing nothing: no swap, no event, no ack, no
   * listener (SecureString values are read from SSM, as a `Refresh` would).
   */
  public async validateBatch(candidates: readonly CandidateChange[]): Promise<readonly ChangeResult[]> {
    const { ssm, store } = this.parts;
    const resolved = await readSecureValues(ssm, candidates, (change) => store.needsValue(change));
    return store.validate(resolved, Date.now());
  }

  /** Loads everything under the path and applies it as one batch; rejects when SSM fails. */
  public async reload(reason: ReloadReason): Promise<ReloadSummary> {
    const loadStartedAt = Date.now();
    const loaded = await loadParameters(this.parts.ssm, this.parts.parameterPath);
    return this.serialize(() => {
      const now = Date.now();
      const outcome = this.report(this.parts.store.reload(loaded, loadStartedAt, now), now);
      const summary: ReloadSummary = { applied: outcome.applied.length, rejected: outcome.refused.length };
      this.parts.events.emit({ type: "reload", reason, ...summary });
      return summary;
    });
  }

  /** Resolves when the batches and reloads queued so far have been applied. */
  public async idle(): Promise<void> {
    await this.serial.catch(() => undefined);
  }

  /** Reports and acknowledges what a batch did, then tells the change listeners. */
  private report(outcome: StoreOutcome, now: number): StoreOutcome {
    const { events, counters } = this.parts;
    counters.add("unchanged", outcome.alreadyHeld);
    counters.add("stale", outcome.stale);
    for (const { candidate: { change, via }, reason, detail } of outcome.refused) {
      events.emit({ type: "rejected", via, name: change.name, version: change.version, reason, detail });
    }
    if (outcome.applied.length > 0) {
      const parameters = outcome.applied.map(({ candidate, key, version, valueChanged }) =>
        ({ name: candidate.change.name, key, version, valueChanged }));
      events.emit({ type: "applied", via: (outcome.results[0] as ChangeResult).candidate.via, parameters });
    }
    this.parts.acknowledger?.send(appliedAcks(outcome.applied, this.parts.instanceId, now));
    if (outcome.changes.length > 0) {
      counters.add("swaps");
      this.lastChangeAt = now;
      this.parts.listeners.notify(outcome.changes, this.parts.snapshot(), (selector, error) => {
        events.emit({ type: "listener-failed", selector, error: toError(error) });
      });
    }
    // The value could not be read: the next reload (retried until it succeeds) brings it.
    if (outcome.refused.some((result) => result.reason === "FETCH_FAILED")) this.parts.requestReload("fetch-failed");
    return outcome;
  }

  /** Runs `job` after every job queued before it: the store sees one batch or reload at a time. */
  private serialize<T>(job: () => Promise<T> | T): Promise<T> {
    const run = this.serial.then(job);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
