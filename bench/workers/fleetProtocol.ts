/**
 * Messages between the bench (parent) and a fleet worker process (child), over Node's IPC
 * channel. Each request carries an id; the worker answers once with the same id.
 */
import type { ConfigClientOptions } from "../../runtime/client";
import type { Arrival } from "./arrivalBook";

/** What every ConfigClient of a worker is started with. */
export interface FleetClientSettings {
  parameterPath: string;
  streamKey: string;
  redisUrl: string;
  awsEndpoint: string;
  /** With `serviceId`: each client serves `refresh.proto` with this token. */
  refreshToken?: string;
  /** Cloud Map service to register in (the gRPC path finds the instance there); omitted: stream only, not registered. */
  serviceId?: string;
  /** Instance ids are `<idPrefix>-<index>`. */
  idPrefix: string;
  /** Drop the clients' warnings (a fleet-wide reset makes each client log a few); errors still go to stderr. */
  quiet?: boolean;
  /** Options beyond the defaults (the fleet bench's designs). */
  options?: Pick<
    ConfigClientOptions,
    "reloadIntervalMs" | "resetReloadWindowMs" | "secureReadJitterMs" | "stream" | "acks"
  >;
}

/** A request to a worker. */
export type FleetRequest =
  /** Starts `count` ConfigClients (indexes from `firstIndex`), each with its refresh server, registered in Cloud Map. */
  | { op: "startClients"; count: number; firstIndex: number; settings: FleetClientSettings; concurrency?: number }
  /** The arrivals of change `<name>@<version>` at this worker's clients (one per client, or what came in time). */
  | { op: "collectApplied"; name: string; version: number; timeoutMs: number }
  /** The reloads for `reason` this worker's clients finished (one per client, or what came in time). */
  | { op: "collectReloads"; reason: string; timeoutMs: number }
  /** Starts `count` bare ioredis readers, each blocked in XREAD on `streamKey` (the Redis floor). */
  | { op: "startReaders"; count: number; redisUrl: string; streamKey: string }
  /** The wake-ups of the readers for stream entry `entryId`. */
  | { op: "collectWakes"; entryId: string; timeoutMs: number }
  /** Starts `count` bare gRPC servers of `refresh.proto` that answer at once (the fan-out floor). */
  | { op: "startServers"; count: number }
  /** The arrivals of call `callId` at this worker's bare servers. */
  | { op: "collectCalls"; callId: string; timeoutMs: number }
  /** Forgets arrivals nobody collected (warm-up rounds). */
  | { op: "clear" }
  /** SSM / Cloud Map calls made by this worker's clients, the clients' summed metrics, and RSS. */
  | { op: "counters" }
  /** Closes everything (clients deregister from Cloud Map) and exits. */
  | { op: "stop" };

/** The answer to a request. */
export type FleetResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** A request as sent (with its id). */
export type FleetEnvelope = FleetRequest & { id: number };

/** Result of `startClients`. */
export interface StartedClients {
  instanceIds: string[];
  /** Start time of each client, ms (createConfigClient → resolved). */
  startMs: number[];
}

/** Result of `counters`. */
export interface WorkerCounters {
  ssmCalls: Record<string, number>;
  cloudMapCalls: Record<string, number>;
  /** `client.metrics()` summed over the worker's clients. */
  clientMetrics: Record<string, number>;
  rssBytes: number;
  clients: number;
}

export type { Arrival };
