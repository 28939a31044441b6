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
import { appliedAcks, refusalEntries } from "./stream/appliedAcks";
import { backoffDelay, type ReconnectBackoff } from "./stream/redisConnection";
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
  /** The longest random wait before a SecureString read of a stream change, ms. */
  readonly secureReadJitterMs: number;
  /** How a failed SecureString read is retried alone before a full reload takes over. */
  readonly secureReadRetry: SecureReadRetry;
  /** The snapshot the listeners receive after a swap (asked for only when one follows a changed key). */
  snapshot(): Snapshot;
  /** Asks for a full reload: a SecureString value could not be read, even retried; the reload brings it. */
  requestReload(reason: "fetch-failed"): void;
}

/** Retries of one failed SecureString read. */
export interface SecureReadRetry extends ReconnectBackoff {
  /** Reads retried alone before a full reload is asked for. */
  readonly attempts: number;
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
  /** `name:version` → failed reads so far, for the SecureString reads being retried. */
  private readonly readAttempts = new Map<string, number>();
  /** The SecureString changes waiting for their point of the jitter window, or for a retry of their read. */
  private readonly pendingReads = new Set<NodeJS.Timeout>();

  public constructor(private readonly parts: ChangeApplierParts<Snapshot>) {}

  /**
   * Applies the changes of a batch of stream entries; an entry that cannot be read is reported and
   * skipped. A SecureString change, whose value every instance reads from SSM at once, is read and
   * applied on its own at a random point of the jitter window: the rest of the batch, and every
   * batch after it, go on meanwhile (its revision keeps it in order).
   */
  public async applyStreamEntries(entries: readonly RawStreamEntry[]): Promise<void> {
    const candidates = streamCandidates(entries, (id, rejection, detail) => {
      this.parts.events.emit({ type: "entry-skipped", id, rejection, detail });
    });
    const jitterMs = this.parts.secureReadJitterMs;
    const spread = jitterMs > 0 ? candidates.filter((c) => this.parts.store.needsValue(c.change)) : [];
    for (const candidate of spread) this.applyLater(candidate, Math.floor(Math.random() * jitterMs));
    const now = spread.length > 0 ? candidates.filter((c) => !spread.includes(c)) : candidates;
    if (now.length > 0) await this.applyBatch(now);
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

  /** Cancels the SecureString reads waiting for their point of the window or for a retry. */
  public stop(): void {
    for (const timer of this.pendingReads) clearTimeout(timer);
    this.pendingReads.clear();
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
    for (const {
      candidate: { change, via },
      reason,
      detail,
    } of outcome.refused) {
      events.emit({ type: "rejected", via, name: change.name, version: change.version, reason, detail });
    }
    if (outcome.applied.length > 0) {
      const parameters = outcome.applied.map(({ candidate, key, version, valueChanged }) => ({
        name: candidate.change.name,
        key,
        type: candidate.change.type,
        version,
        valueChanged,
      }));
      events.emit({ type: "applied", via: (outcome.results[0] as ChangeResult).candidate.via, parameters });
    }
    this.parts.acknowledger?.send(appliedAcks(outcome.applied, this.parts.instanceId, now));
    this.parts.acknowledger?.sendRefusals(refusalEntries(outcome.refused, this.parts.instanceId, now));
    if (outcome.changes.length > 0) {
      counters.add("swaps");
      this.lastChangeAt = now;
      this.parts.listeners.notify(
        outcome.changes,
        () => this.parts.snapshot(),
        (selector, error) => {
          events.emit({ type: "listener-failed", selector, error: toError(error) });
        },
      );
    }
    for (const result of outcome.results) {
      const { candidate } = result;
      if (this.readAttempts.size > 0 && !(result.status === "refused" && result.reason === "FETCH_FAILED")) {
        this.readAttempts.delete(readId(candidate));
      }
    }
    for (const { candidate, reason } of outcome.refused) if (reason === "FETCH_FAILED") this.retryRead(candidate);
    return outcome;
  }

  /**
   * The value could not be read (throttled, most likely: the whole fleet reads it): that read alone
   * is retried with backoff; only after the last attempt does a full reload bring it.
   */
  private retryRead(candidate: CandidateChange): void {
    const id = readId(candidate);
    const attempt = (this.readAttempts.get(id) ?? 0) + 1;
    const retry = this.parts.secureReadRetry;
    if (attempt > retry.attempts) {
      this.readAttempts.delete(id);
      this.parts.requestReload("fetch-failed");
      return;
    }
    this.readAttempts.set(id, attempt);
    const { fetchError: _failed, ...again } = candidate;
    this.applyLater(again, backoffDelay(attempt, retry));
  }

  /** Applies `candidate` alone (its value read then) after `delayMs`, unless stopped first. */
  private applyLater(candidate: CandidateChange, delayMs: number): void {
    const timer = setTimeout(() => {
      this.pendingReads.delete(timer);
      void this.applyBatch([candidate]);
    }, delayMs);
    timer.unref();
    this.pendingReads.add(timer);
  }

  /** Runs `job` after every job queued before it: the store sees one batch or reload at a time. */
  private serialize<T>(job: () => Promise<T> | T): Promise<T> {
    const run = this.serial.then(job);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

/** The revision a SecureString read is for. */
function readId(candidate: CandidateChange): string {
  return `${candidate.change.name}:${candidate.change.version}`;
}
