import { describeError } from "../common/errors";
import type { ClientEvent } from "../client";

/**
 * How long after a failed stream read the reader is taken as still failing when nothing else is
 * heard: the read is retried after the `retryInMs` the event carries, and a retry that fails again
 * reports itself within milliseconds (a dead connection reports as `redis-error` instead).
 */
const RETRY_REPORT_GRACE_MS = 1_000;

/** What {@link StreamHealth} tells its owner. */
export interface StreamHealthHooks {
  /** The stream has been unreadable for `staleAfterMs`; `cause` is the last failure (no value, no secret). */
  onStale(cause: string): void;
  /** The client reads the stream again, after {@link onStale}. */
  onRecovered(): void;
}

/**
 * Whether a client can read its refresh stream, judged from its events alone (no I/O): failing
 * from its stream connection's first `redis-error` until `reconnected`, and for a read retry's
 * delay after each `stream-error`; a `stream-reset` or a batch applied from the stream also proves
 * it reads. Reports stale once failing has lasted `staleAfterMs`, and recovered when it ends.
 */
export class StreamHealth {
  private connectionDown = false;
  private readsFailUntil = 0;
  private failingSince: number | undefined;
  private lastCause = "";
  private stale = false;
  private timer: NodeJS.Timeout | undefined;

  public constructor(
    private readonly staleAfterMs: number,
    private readonly hooks: StreamHealthHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** True between {@link StreamHealthHooks.onStale} and {@link StreamHealthHooks.onRecovered}. */
  public get isStale(): boolean {
    return this.stale;
  }

  /** Takes one client event into account. */
  public observe(event: ClientEvent): void {
    switch (event.type) {
      case "redis-error":
        if (event.connection !== "stream") return;
        this.connectionDown = true;
        this.failed(describeError(event.error));
        return;
      case "stream-error":
        this.readsFailUntil = Math.max(this.readsFailUntil, this.now() + event.retryInMs + RETRY_REPORT_GRACE_MS);
        this.failed(describeError(event.error));
        return;
      case "reconnected":
        if (event.connection === "stream") this.recovered();
        return;
      case "stream-reset":
        this.recovered();
        return;
      case "applied":
        if (event.via === "stream") this.recovered();
        return;
    }
  }

  /** Stops the timer; reports nothing more. */
  public stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.connectionDown = false;
    this.readsFailUntil = 0;
    this.failingSince = undefined;
    this.stale = false;
  }

  private failed(cause: string): void {
    this.lastCause = cause;
    this.failingSince ??= this.now();
    this.check();
  }

  private recovered(): void {
    if (this.failingSince === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.connectionDown = false;
    this.readsFailUntil = 0;
    this.failingSince = undefined;
    if (!this.stale) return;
    this.stale = false;
    this.hooks.onRecovered();
  }

  /** Reports what is due now and sets the timer for the next moment the verdict could change. */
  private check(): void {
    const now = this.now();
    if (!this.connectionDown && now >= this.readsFailUntil) {
      this.recovered();
      return;
    }
    const staleAt = (this.failingSince as number) + this.staleAfterMs;
    if (!this.stale && now >= staleAt) {
      this.stale = true;
      this.hooks.onStale(this.lastCause);
    }
    // Stale with the connection down: only an event ends it. Otherwise, wake when stale is due or reads may be back.
    const wakeAt = this.stale
      ? this.connectionDown
        ? undefined
        : this.readsFailUntil
      : this.connectionDown
        ? staleAt
        : Math.min(staleAt, this.readsFailUntil);
    clearTimeout(this.timer);
    this.timer = wakeAt === undefined ? undefined : setTimeout(() => this.check(), Math.max(0, wakeAt - now));
    this.timer?.unref();
  }
}
