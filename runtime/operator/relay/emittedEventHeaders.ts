/**
 * The response headers by which an endpoint that emits Parameter Store's change events itself (the
 * local pipeline's) tells a writer so: the writer then relays nothing, and a write makes one event.
 * AWS never sends them (Parameter Store emits without saying so).
 */
export const EMITTED_EVENT_HEADERS = {
  /** On every answer to an SSM write: `true`, this endpoint emits the change events of its writes. */
  emits: "x-config-refresh-emits-change-events",
  /** The ids of the events emitted for this write, comma-separated (none: the write changed nothing). */
  eventIds: "x-config-refresh-change-event-ids",
  /** Why the events of this (successful) write could not be emitted. */
  error: "x-config-refresh-change-event-error",
} as const;

/** What an endpoint's answer to a write says about the change events it emitted. */
export interface EmittedEvents {
  /** The event ids, in the order of the names written. */
  eventIds: string[];
  /** Set when the write succeeded but its events were not emitted. */
  error?: string;
}

/**
 * Reads {@link EMITTED_EVENT_HEADERS} from a response's headers (lower-case names, as Node and the
 * AWS SDK hold them); undefined when the endpoint emits no events itself (AWS, moto, LocalStack).
 *
 * @example
 * ```ts
 * emittedEventsOf({ "x-config-refresh-emits-change-events": "true", "x-config-refresh-change-event-ids": "e-1" });
 * // { eventIds: ["e-1"] }
 * ```
 */
export function emittedEventsOf(headers: Readonly<Record<string, string | undefined>>): EmittedEvents | undefined {
  if (headers[EMITTED_EVENT_HEADERS.emits] !== "true") return undefined;
  const ids = headers[EMITTED_EVENT_HEADERS.eventIds] ?? "";
  const error = headers[EMITTED_EVENT_HEADERS.error];
  return { eventIds: ids.split(",").filter(Boolean), ...(error ? { error } : {}) };
}
