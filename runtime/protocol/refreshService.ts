import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ParameterChange } from "./types";

/** Path of `refresh.proto`, the language-neutral contract of the direct refresh path. */
export const REFRESH_PROTO_PATH = path.join(__dirname, "refresh.proto");

/** Outcome of one parameter in a `Refresh` call. */
export type RefreshOutcome = "ACK" | "NACK";

/** Why an instance refused a change. */
export type NackReason =
  | "VALIDATION_FAILED"
  | "OLDER_VERSION"
  | "UNKNOWN_NAME"
  | "OUTSIDE_PREFIX"
  | "FETCH_FAILED"
  | "MALFORMED"
  | "NOT_PUBLISHED";

/** `ParameterChange` on the wire (proto field names in camelCase, times as `...AtMs`). */
export interface WireParameterChange {
  name: string;
  operation: string;
  version: number;
  type: string;
  value?: string;
  modifiedAtMs: number;
  changedAtMs: number;
  /** The stream entry that published the change (the instance checks the change against it). */
  streamId?: string;
}

/** `RefreshRequest` of `refresh.proto`. */
export interface RefreshRequest {
  changes: WireParameterChange[];
  eventId: string;
  sentAtMs: number;
}

/** `ParameterResult` of `refresh.proto`. */
export interface ParameterResult {
  name: string;
  outcome: RefreshOutcome;
  /** Version held after the call (0 when none). */
  version: number;
  reason?: NackReason;
  detail?: string;
}

/** `RefreshResponse` of `refresh.proto`. */
export interface RefreshResponse {
  instanceId: string;
  results: ParameterResult[];
  appliedAtMs: number;
}

/** `StateRequest` of `refresh.proto`. */
export interface StateRequest {
  prefix: string;
}

/** `HeldParameter` of `refresh.proto`. */
export interface HeldParameter {
  name: string;
  version: number;
  modifiedAtMs: number;
  appliedAtMs: number;
}

/** `HeldBackParameter` of `refresh.proto`. */
export interface HeldBackParameter {
  name: string;
  /** The version held. */
  version: number;
  /** The newest version refused. */
  refusedVersion: number;
  detail: string;
}

/** `StateResponse` of `refresh.proto`. */
export interface StateResponse {
  instanceId: string;
  parameters: HeldParameter[];
  startedAtMs: number;
  lastChangeAtMs: number;
  lastStreamId: string;
  /** Parameters held back on an older version (empty from an instance that predates the field). */
  heldBack?: HeldBackParameter[];
}

/** The server side of the service: what a refresh server implements. */
export interface RefreshServiceHandlers extends grpc.UntypedServiceImplementation {
  Refresh: grpc.handleUnaryCall<RefreshRequest, RefreshResponse>;
  State: grpc.handleUnaryCall<StateRequest, StateResponse>;
  Validate: grpc.handleUnaryCall<RefreshRequest, RefreshResponse>;
}

/** A generated client of the service. */
export interface RefreshServiceClient extends grpc.Client {
  Refresh(
    request: RefreshRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<RefreshResponse>,
  ): grpc.ClientUnaryCall;
  State(
    request: StateRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<StateResponse>,
  ): grpc.ClientUnaryCall;
  Validate(
    request: RefreshRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<RefreshResponse>,
  ): grpc.ClientUnaryCall;
}

/** Options that make proto-loader's objects match the interfaces above. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cached: { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } | undefined;

/** Loads `refresh.proto` once per process. */
function load(): NonNullable<typeof cached> {
  if (!cached) {
    const definition = protoLoader.loadSync(REFRESH_PROTO_PATH, LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      configrefresh: { v1: { ConfigRefresh: grpc.ServiceClientConstructor } };
    };
    const Client = pkg.configrefresh.v1.ConfigRefresh;
    cached = { service: Client.service, Client };
  }
  return cached;
}

/** The service definition to pass to `server.addService`. */
export function refreshServiceDefinition(): grpc.ServiceDefinition {
  return load().service;
}

/**
 * A client of one instance's refresh server.
 *
 * @example
 * ```ts
 * const client = createRefreshClient("10.0.1.7:50051");
 * client.Refresh(request, refreshTokenMetadata(token), { deadline: Date.now() + 2000 }, (err, res) => { ... });
 * ```
 */
export function createRefreshClient(
  address: string,
  credentials = grpc.credentials.createInsecure(),
  options?: grpc.ClientOptions,
): RefreshServiceClient {
  const { Client } = load();
  return new Client(address, credentials, options) as unknown as RefreshServiceClient;
}

/** A change as the RPC carries it. */
export function toWireChange(change: ParameterChange & { streamId?: string }): WireParameterChange {
  return {
    name: change.name,
    operation: change.operation,
    version: change.version,
    type: change.type,
    ...(change.value !== undefined ? { value: change.value } : {}),
    modifiedAtMs: change.modifiedAt,
    changedAtMs: change.changedAt,
    ...(change.streamId !== undefined ? { streamId: change.streamId } : {}),
  };
}
