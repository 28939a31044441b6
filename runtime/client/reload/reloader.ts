import { toError } from "../../common/errors";
import { backoffDelay, type ReconnectBackoff } from "../stream/redisConnection";
import type { ReloadReason } from "../types";

/** What one reload found. */
export interface ReloadSummary {
  /** Parameters whose version moved. */
  readonly applied: number;
  /** Changes the schema refused (reported once per version). */
  readonly rejected: number;
}

/** The result of one requested reload. */
export type ReloadOutcome = { ok: true; summary: ReloadSummary } | { ok: false; error: Error };

/** Timing of the reloader. */
export interface ReloaderOptions {
  /** Interval of the TTL reload, ms. */
  intervalMs: number;
  /** ± share of the interval drawn at random for each period (0.1 = ±10 %). */
  jitter: number;
  /** Delays between retries of a failed reload. */
  retry: ReconnectBackoff;
}

/**
 * Runs full reloads: every TTL (with jitter, counted from the last successful reload of any
 * reason), on request, and again after a failure with backoff until one succeeds. Requests made
 * while a reload runs are folded into one more reload after it, so no request is served by a load
 * that started before it.
 */
export class Reloader {
  private running: Promise<ReloadOutcome> | undefined;
  private next: { reason: ReloadReason; promise: Promise<ReloadOutcome>; resolve: (outcome: ReloadOutcome) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  public constructor(
    private readonly options: ReloaderOptions,
    private readonly run: (reason: ReloadReason) => Promise<ReloadSummary>,
    private readonly onFailed: (reason: ReloadReason, error: Error, retryInMs: number) => void,
  ) {}

  /** Arms the TTL timer. */
  public start(): void {
    this.schedule("ttl", this.ttlDelay());
  }

  /** Requests a reload; resolves with the outcome of a reload that started after the request. */
  public request(reason: ReloadReason): Promise<ReloadOutcome> {
    if (this.stopped) return Promise.resolve({ ok: false, error: new Error("the reloader is stopped") });
    if (!this.running) {
      this.running = this.execute(reason);
      return this.running;
    }
    if (!this.next) {
      let resolve!: (outcome: ReloadOutcome) => void;
      const promise = new Promise<ReloadOutcome>((r) => (resolve = r));
      this.next = { reason, promise, resolve };
    }
    return this.next.promise;
  }

  /** Stops the timers; no new reload starts. Resolves when the reload in progress (if any) has ended. */
  public async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.next?.resolve({ ok: false, error: new Error("the reloader is stopped") });
    this.next = undefined;
    await this.running;
  }

  private async execute(reason: ReloadReason): Promise<ReloadOutcome> {
    clearTimeout(this.timer);
    let outcome: ReloadOutcome;
    try {
      outcome = { ok: true, summary: await this.run(reason) };
      this.failures = 0;
      if (!this.stopped) this.schedule("ttl", this.ttlDelay());
    } catch (error) {
      const failure = toError(error);
      outcome = { ok: false, error: failure };
      const delay = backoffDelay(++this.failures, this.options.retry);
      this.onFailed(reason, failure, delay);
      if (!this.stopped) this.schedule(reason, delay);
    }
    this.running = undefined;
    const next = this.next;
    this.next = undefined;
    if (next) {
      if (this.stopped) next.resolve({ ok: false, error: new Error("the reloader is stopped") });
      else {
        this.running = this.execute(next.reason);
        void this.running.then(next.resolve);
      }
    }
    return outcome;
  }

  private schedule(reason: ReloadReason, delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.request(reason), delayMs);
    this.timer.unref();
  }

  private ttlDelay(): number {
    const spread = this.options.intervalMs * this.options.jitter;
    return Math.max(1, Math.round(this.options.intervalMs - spread + Math.random() * 2 * spread));
  }
}
