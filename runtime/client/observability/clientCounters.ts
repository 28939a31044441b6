import type { ClientMetrics } from "../types";

/** One counter of {@link ClientMetrics}. */
export type Counter = keyof ClientMetrics;

/** The client's counters; `snapshot()` hands out a frozen copy. */
export class ClientCounters {
  private readonly counts: { -readonly [K in Counter]: number } = {
    applied: 0,
    unchanged: 0,
    stale: 0,
    heldBack: 0,
    rejected: 0,
    malformed: 0,
    unsupportedFormat: 0,
    fetchFailures: 0,
    reloads: 0,
    reloadFailures: 0,
    trimmedReloads: 0,
    recreatedReloads: 0,
    failoverReloads: 0,
    reconnects: 0,
    streamErrors: 0,
    acksWritten: 0,
    refusalsWritten: 0,
    ackFailures: 0,
    listenerErrors: 0,
    rpcRefreshCalls: 0,
    rpcValidateCalls: 0,
    rpcUnauthenticated: 0,
    swaps: 0,
  };

  /** Adds `by` (default 1) to a counter. */
  public add(counter: Counter, by = 1): void {
    this.counts[counter] += by;
  }

  /** A frozen copy of every counter. */
  public snapshot(): ClientMetrics {
    return Object.freeze({ ...this.counts });
  }
}
