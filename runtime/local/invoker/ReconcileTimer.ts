import { toError } from "../../common/errors";
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from "../../common/timers";
import type { RefreshHandler } from "../../lambda/createRefreshHandler";
import type { RefreshResult } from "../../lambda/types";
import { RECONCILE_REQUEST } from "../../protocol/pipelineContract";

/** Options of {@link ReconcileTimer}. */
export interface ReconcileTimerOptions {
  /** The refresh handler, invoked with `RECONCILE_REQUEST` as the schedule rule would. */
  handler: RefreshHandler;
  /** Ms between two sweeps; 0 runs none on its own (only {@link ReconcileTimer.runNow}). */
  intervalMs: number;
  /** A sweep that failed (the next one retries). */
  onError?(error: Error): void;
  /** A sweep that finished. */
  onSweep?(result: RefreshResult): void;
  /** The timers it schedules on (default Node's; the fleet bench's simulated clock). */
  timers?: Timers;
}

/**
 * The local pipeline's stand-in for the component's reconcile schedule: invokes the real handler
 * with the reconcile request every `intervalMs`, one sweep at a time (a sweep never overlaps the
 * previous one, as a slow Lambda would not be invoked twice by a rate rule's one target anyway).
 *
 * @example
 * ```ts
 * const timer = new ReconcileTimer({ handler, intervalMs: 300_000 });
 * timer.start();
 * const result = await timer.runNow(); // result.reconciled?.healed
 * timer.stop();
 * ```
 */
export class ReconcileTimer {
  private timer: TimerHandle | undefined;
  private running: Promise<RefreshResult> | undefined;
  private stopped = false;

  public constructor(private readonly options: ReconcileTimerOptions) {}

  /** Starts the schedule (a no-op when `intervalMs` is 0). */
  public start(): void {
    if (this.options.intervalMs <= 0 || this.timer || this.stopped) return;
    this.timer = (this.options.timers ?? SYSTEM_TIMERS).setInterval(() => {
      if (this.running) return;
      this.runNow().catch((error: unknown) => this.options.onError?.(toError(error)));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Runs one sweep now (or joins the one running) and resolves with its result. */
  public runNow(): Promise<RefreshResult> {
    this.running ??= this.options
      .handler(RECONCILE_REQUEST)
      .then((result) => {
        this.options.onSweep?.(result);
        return result;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the schedule and waits for a sweep in flight. */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) (this.options.timers ?? SYSTEM_TIMERS).clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
