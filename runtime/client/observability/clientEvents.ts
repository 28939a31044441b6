import { describeError } from "../../common/errors";
import type { ClientEvent, ClientLogger } from "../types";
import type { ClientCounters } from "./clientCounters";
import { countEvent } from "./eventCounters";

/** Level of the log line each event gets. */
const LEVELS: Readonly<Record<ClientEvent["type"], keyof ClientLogger>> = {
  applied: "debug",
  "held-back": "warn",
  rejected: "warn",
  "entry-skipped": "warn",
  reload: "info",
  "reload-failed": "error",
  "stream-reset": "warn",
  reconnected: "info",
  "redis-error": "warn",
  "stream-error": "warn",
  "ack-failed": "warn",
  "listener-failed": "error",
  "derive-failed": "error",
  unauthenticated: "warn",
  registration: "info",
  "registration-failed": "error",
  closed: "info",
};

/** Events repeated during an outage: logged once until the connection is back. */
const OUTAGE_EVENTS = new Set<ClientEvent["type"]>(["redis-error", "stream-error", "ack-failed"]);

/** The default logger: warnings and errors as JSON lines on stderr. */
export const STDERR_LOGGER: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, attributes) =>
    process.stderr.write(
      `${JSON.stringify({ level: "WARN", component: "config-refresh-client", message, ...attributes })}\n`,
    ),
  error: (message, attributes) =>
    process.stderr.write(
      `${JSON.stringify({ level: "ERROR", component: "config-refresh-client", message, ...attributes })}\n`,
    ),
};

/**
 * Counts every event, hands it to the `onEvent` listeners and logs it. A listener that throws is
 * logged and skipped; it never breaks the client.
 */
export class ClientEvents {
  private readonly listeners = new Set<(event: ClientEvent) => void>();
  private inOutage = false;

  public constructor(
    private readonly logger: ClientLogger,
    private readonly instanceId: string,
    private readonly counters: ClientCounters,
  ) {}

  /** Adds a listener; returns the function that removes it. */
  public add(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Marks the end of an outage: the next connection error is logged again. */
  public recovered(): void {
    this.inOutage = false;
  }

  /** Counts an event (before any listener runs, so `metrics()` includes it), then reports it. */
  public emit(event: ClientEvent): void {
    countEvent(this.counters, event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error("an onEvent listener threw", { instanceId: this.instanceId, error: describeError(error) });
      }
    }
    if (OUTAGE_EVENTS.has(event.type)) {
      if (this.inOutage) return;
      this.inOutage = true;
    }
    const { type, ...details } = event;
    const attributes: Record<string, unknown> = { instanceId: this.instanceId, event: type };
    for (const [name, value] of Object.entries(details))
      attributes[name] = value instanceof Error ? describeError(value) : value;
    this.logger[LEVELS[type]](`config client: ${type}`, attributes);
  }
}
