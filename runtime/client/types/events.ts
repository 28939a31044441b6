import type { NackReason, ParameterType, StreamEntryRejection } from "../../protocol";
import type { ChangeVia } from "./config";

/** The methods of `refresh.proto` an instance serves. */
export type RefreshMethod = "Refresh" | "Validate" | "State";

/** Why a full reload ran. */
export type ReloadReason =
  /** The reload interval elapsed (the safety net of seed 001). */
  | "ttl"
  /** Stream entries after the client's last id were trimmed (or deleted) before it read them. */
  | "trimmed"
  /** The stream was recreated: its epoch changed or vanished, or it is gone or behind the client. */
  | "recreated"
  /** Redis failed over to a replica, which may lack the last entries the old primary took. */
  | "failover"
  /** The stream position was unknown (Redis unreachable at start): it was read, then everything reloaded. */
  | "resync"
  /** A SecureString could not be read from SSM when its change arrived. */
  | "fetch-failed"
  /** `client.reload()` was called. */
  | "manual";

/** One key whose value changed in one swap of the snapshot, as change listeners receive it. */
export interface ConfigChange {
  /** Name relative to the client's path. */
  readonly key: string;
  /** Full SSM name. */
  readonly name: string;
  /** The parsed value before the swap (`undefined` when absent). */
  readonly previous: unknown;
  /** The parsed value after the swap (`undefined` when deleted, unless the schema gives a default). */
  readonly value: unknown;
  /** The SSM version now held (for a deletion, the version it removed). */
  readonly version: number;
  /** True when the parameter was deleted. */
  readonly deleted: boolean;
  readonly via: ChangeVia;
}

/** A parameter applied by one swap (also when only its version moved and the value is the same). */
export interface AppliedParameter {
  readonly name: string;
  readonly key: string;
  readonly type: ParameterType;
  readonly version: number;
  /** False when only the version moved (SSM rewrote the same value). */
  readonly valueChanged: boolean;
}

/**
 * What the client reports to `onEvent` listeners: everything worth a log line or a metric. Events
 * never carry parameter values.
 */
export type ClientEvent =
  | { readonly type: "applied"; readonly via: ChangeVia; readonly parameters: readonly AppliedParameter[] }
  /** Started on an older version: the schema refuses SSM's current `refusedVersion` of the key. */
  | {
      readonly type: "held-back";
      readonly name: string;
      readonly key: string;
      readonly version: number;
      readonly refusedVersion: number;
      readonly detail: string;
    }
  | {
      readonly type: "rejected";
      readonly via: ChangeVia;
      readonly name: string;
      readonly version: number;
      readonly reason: NackReason;
      readonly detail: string;
    }
  | {
      readonly type: "entry-skipped";
      readonly id: string;
      readonly rejection: StreamEntryRejection;
      readonly detail: string;
    }
  | { readonly type: "reload"; readonly reason: ReloadReason; readonly applied: number; readonly rejected: number }
  | { readonly type: "reload-failed"; readonly reason: ReloadReason; readonly error: Error; readonly retryInMs: number }
  | {
      readonly type: "stream-reset";
      readonly reason: "trimmed" | "recreated" | "failover" | "resync";
      readonly lastStreamId: string;
    }
  | { readonly type: "reconnected"; readonly connection: "stream" | "acks" }
  | { readonly type: "redis-error"; readonly connection: "stream" | "acks" | "check"; readonly error: Error }
  | { readonly type: "stream-error"; readonly error: Error; readonly retryInMs: number }
  | { readonly type: "ack-failed"; readonly error: Error; readonly count: number }
  | { readonly type: "listener-failed"; readonly selector: string; readonly error: Error }
  | { readonly type: "derive-failed"; readonly keys: readonly string[]; readonly error: Error }
  | { readonly type: "unauthenticated"; readonly method: RefreshMethod }
  | {
      readonly type: "registration";
      readonly action: "registered" | "healthy" | "unhealthy" | "deregistered";
      readonly instanceId: string;
    }
  | {
      readonly type: "registration-failed";
      readonly action: "register" | "healthy" | "unhealthy" | "deregister";
      readonly error: Error;
    }
  /** `close()` finished: no change is applied after this one (the last event a client emits). */
  | { readonly type: "closed" };

/** The type names of {@link ClientEvent}. */
export type ClientEventType = ClientEvent["type"];

/** Counters since the client started (`client.metrics()`). */
export interface ClientMetrics {
  /** Parameter versions applied after start (stream, RPC or reload). */
  readonly applied: number;
  /** Changes already held (same version): acknowledged, nothing swapped. */
  readonly unchanged: number;
  /** Changes older than what the instance holds or has seen: ignored. */
  readonly stale: number;
  /** Keys started on an older version because the schema refuses SSM's current one. */
  readonly heldBack: number;
  /** Changes refused (validation failed, unknown name, outside the path, malformed RPC), once per version. */
  readonly rejected: number;
  /** Stream entries skipped because their fields are missing or invalid. */
  readonly malformed: number;
  /** Stream entries skipped because their format version is unknown to this code. */
  readonly unsupportedFormat: number;
  /** SecureString reads from SSM that failed. */
  readonly fetchFailures: number;
  /** Full reloads that completed, whatever the reason. */
  readonly reloads: number;
  readonly reloadFailures: number;
  /** Reloads because entries after the last id were trimmed away. */
  readonly trimmedReloads: number;
  /** Reloads because the stream was recreated. */
  readonly recreatedReloads: number;
  /** Reloads because Redis failed over to a replica. */
  readonly failoverReloads: number;
  /** Reconnections of the stream connection. */
  readonly reconnects: number;
  /** Errors of the read loop (each followed by a backoff). */
  readonly streamErrors: number;
  readonly acksWritten: number;
  /** Refusals written on the acks stream (a version this instance's schema refused, once per version). */
  readonly refusalsWritten: number;
  readonly ackFailures: number;
  readonly listenerErrors: number;
  /** Authenticated `Refresh` calls served. */
  readonly rpcRefreshCalls: number;
  /** Authenticated `Validate` calls served (they change nothing). */
  readonly rpcValidateCalls: number;
  /** Calls refused for a missing or wrong token. */
  readonly rpcUnauthenticated: number;
  /** Swaps of the snapshot after start. */
  readonly swaps: number;
}
