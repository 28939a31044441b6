/**
 * The timer functions the runtime's schedulers use (the reloader, the SecureString read jitter, the
 * local reconcile timer): Node's own by default. The fleet benchmark hands them a simulated clock to
 * run the real scheduling code for fleets larger than one machine holds.
 */

/** A pending timer, as the schedulers use it. */
export interface TimerHandle {
  /** Lets the process exit while the timer waits (Node's `Timeout.unref`). */
  unref(): unknown;
}

/** `setTimeout` and friends, swappable. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/** Node's timers. */
export const SYSTEM_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
};

/** Resolves after `ms` on `timers`. */
export function sleepOn(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => void timers.setTimeout(resolve, ms));
}
