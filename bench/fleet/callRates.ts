/** Call rates from call times: what the fleet bench compares with SSM's quota. */

/** The most calls within any one second (a sliding window: `[t, t + 1000)` ms for every t), of sorted times in ms. */
export function peakPerSecond(sortedMs: readonly number[]): number {
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sortedMs.length; last++) {
    while (sortedMs[last]! - sortedMs[first]! >= 1000) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** Seconds (whole, from the first call) in which more than `limit` calls fell. */
export function secondsOver(sortedMs: readonly number[], limit: number): number {
  if (sortedMs.length === 0) return 0;
  const start = sortedMs[0]!;
  const perSecond = new Map<number, number>();
  for (const at of sortedMs) {
    const second = Math.floor((at - start) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  return [...perSecond.values()].filter((count) => count > limit).length;
}

/** The times within `[fromMs, toMs)`. */
export function within(sortedMs: readonly number[], fromMs: number, toMs: number): number[] {
  return sortedMs.filter((at) => at >= fromMs && at < toMs);
}
