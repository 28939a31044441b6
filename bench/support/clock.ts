/**
 * The benchmarks' clock: the system-wide monotonic clock (`CLOCK_MONOTONIC`, which
 * `process.hrtime` reads on Linux), so a time taken in one process compares with a time taken in
 * another process on the same machine. Times travel between processes as decimal strings.
 */

/** Now, in nanoseconds on the system-wide monotonic clock. */
export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/** Milliseconds from `from` to `to` (negative when `to` is earlier). */
export function msBetween(from: bigint, to: bigint): number {
  return Number(to - from) / 1e6;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
