import { toError } from "../../common/errors";
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from "../../common/timers";
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
  /** Interval of the TTL reload (the drift check), ms. */
  intervalMs: number;
  /** Delays between retries of a failed reload. */
  retry: ReconnectBackoff;
  /** Draws in [0, 1): the phase of the TTL reloads and the points of spread reloads (default `Math.random`). */
  random?: () => number;
  /** The timers it schedules on (default Node's; the fleet bench's simulated clock). */
  timers?: Timers;
}

/**
 * Runs full reloads: the TTL drift check (first at a uniformly random point of the interval, so a
 * fleet started together spreads over it, then every interval: a phase no other reload moves), on
 * request, and again after a failure with backoff until a reload succeeds. Requests made while a
 * reload runs are folded into one more reload after it, so no request is served by a load that
 * started before it.
 */
export class Reloader {
  private running: Promise<ReloadOutcome> | undefined;
  private next:
    | { reason: ReloadReason; promise: Promise<ReloadOutcome>; resolve: (outcome: ReloadOutcome) => void }
    | undefined;
  private ttlTimer: TimerHandle | undefined;
  private spread:
    | { timer: TimerHandle; promise: Promise<ReloadOutcome>; resolve: (outcome: ReloadOutcome) => void }
    | undefined;
  private retryTimer: TimerHandle | undefined;
  private failures = 0;
  private stopped = false;
  private readonly timers: Timers;

  public constructor(
    private readonly options: ReloaderOptions,
    private readonly run: (reason: ReloadReason) => Promise<ReloadSummary>,
    private readonly onFailed: (reason: ReloadReason, error: Error, retryInMs: number) => void,
  ) {
    this.timers = options.timers ?? SYSTEM_TIMERS;
  }

  /** Arms the TTL timer: its first reload at a random point of the interval. */
  public start(): void {
    const random = this.options.random ?? Math.random;
    this.armTtl(Math.floor(random() * this.options.intervalMs));
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

  /**
   * Requests a reload at a random point of the next `windowMs` (0: now), so a fleet that learns of
   * one reset at once spreads its reads of SSM. A request already waiting keeps its earlier point.
   */
  public requestWithin(reason: ReloadReason, windowMs: number): Promise<ReloadOutcome> {
    if (windowMs <= 0 || this.stopped) return this.request(reason);
    if (this.spread) return this.spread.promise;
    let resolve!: (outcome: ReloadOutcome) => void;
    const promise = new Promise<ReloadOutcome>((r) => (resolve = r));
    const random = this.options.random ?? Math.random;
    const timer = this.timers.setTimeout(
      () => {
        this.spread = undefined;
        void this.request(reason).then(resolve);
      },
      Math.floor(random() * windowMs),
    );
    timer.unref();
    this.spread = { timer, promise, resolve };
    return promise;
  }

  /** Stops the timers; no new reload starts. Resolves when the reload in progress (if any) has ended. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.ttlTimer);
    this.timers.clearTimeout(this.retryTimer);
    if (this.spread) {
      this.timers.clearTimeout(this.spread.timer);
      this.spread.resolve({ ok: false, error: new Error("the reloader is stopped") });
      this.spread = undefined;
    }
    this.next?.resolve({ ok: false, error: new Error("the reloader is stopped") });
    this.next = undefined;
    await this.running;
  }

  private async execute(reason: ReloadReason): Promise<ReloadOutcome> {
    this.timers.clearTimeout(this.retryTimer);
    let outcome: ReloadOutcome;
    try {
      outcome = { ok: true, summary: await this.run(reason) };
      this.failures = 0;
    } catch (error) {
      const failure = toError(error);
      outcome = { ok: false, error: failure };
      const delay = backoffDelay(++this.failures, this.options.retry);
      this.onFailed(reason, failure, delay);
      if (!this.stopped) {
        this.retryTimer = this.timers.setTimeout(() => void this.request(reason), delay);
        this.retryTimer.unref();
      }
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

  private armTtl(delayMs: number): void {
    this.ttlTimer = this.timers.setTimeout(() => {
      if (this.stopped) return;
      this.armTtl(this.options.intervalMs);
      void this.request("ttl");
    }, delayMs);
    this.ttlTimer.unref();
  }
}
