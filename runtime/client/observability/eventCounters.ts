import type { ClientEvent, ClientEventType, ReloadReason } from "../types";
import type { ClientCounters, Counter } from "./clientCounters";

/** What one event adds: nothing (`null`), one to a counter, or an amount per counter. */
type Tally<E> = null | Counter | ((event: E) => Partial<Record<Counter, number>>);

/** The reloads also counted by reason, besides `reloads`. */
const RELOADS_BY_REASON: Partial<Record<ReloadReason, Counter>> = {
  trimmed: "trimmedReloads",
  recreated: "recreatedReloads",
  failover: "failoverReloads",
};

/**
 * What each event adds to the counters: an event counts itself when it is emitted. The counters no
 * event reports (acks written, already held, stale, swaps, `Refresh` calls) are counted where they happen.
 */
export const EVENT_COUNTERS: { readonly [T in ClientEventType]: Tally<Extract<ClientEvent, { type: T }>> } = {
  applied: (event) => ({ applied: event.parameters.length }),
  "held-back": "heldBack",
  rejected: (event) => (event.reason === "FETCH_FAILED" ? { fetchFailures: 1 } : { rejected: 1 }),
  "entry-skipped": (event) => (event.rejection === "malformed" ? { malformed: 1 } : { unsupportedFormat: 1 }),
  reload: (event) => {
    const byReason = RELOADS_BY_REASON[event.reason];
    return byReason === undefined ? { reloads: 1 } : { reloads: 1, [byReason]: 1 };
  },
  "reload-failed": "reloadFailures",
  "stream-reset": null,
  reconnected: "reconnects",
  "redis-error": null,
  "stream-error": "streamErrors",
  "ack-failed": (event) => ({ ackFailures: event.count }),
  "listener-failed": "listenerErrors",
  "derive-failed": "listenerErrors",
  unauthenticated: "rpcUnauthenticated",
  registration: null,
  "registration-failed": null,
  closed: null,
};

/** Adds to `counters` what `event` counts, as {@link EVENT_COUNTERS} says. */
export function countEvent(counters: ClientCounters, event: ClientEvent): void {
  const tally = EVENT_COUNTERS[event.type] as Tally<ClientEvent>;
  if (tally === null) return;
  if (typeof tally === "string") {
    counters.add(tally);
    return;
  }
  for (const [counter, by] of Object.entries(tally(event))) counters.add(counter as Counter, by);
}
