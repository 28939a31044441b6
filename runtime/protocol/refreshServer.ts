import * as grpc from "@grpc/grpc-js";
import {
  refreshServiceDefinition,
  type RefreshRequest,
  type RefreshResponse,
  type RefreshServiceHandlers,
  type StateRequest,
  type StateResponse,
} from "./refreshService";
import { hasRefreshToken, unauthenticatedError } from "./refreshToken";

/** What a refresh server does with an authenticated call. */
export interface RefreshCallHandlers {
  /**
   * Applies the changes and answers per parameter. Throwing answers INTERNAL (the message is sent,
   * so never put a value in it).
   */
  refresh(request: RefreshRequest): Promise<RefreshResponse> | RefreshResponse;
  /** What the instance holds. */
  state(request: StateRequest): Promise<StateResponse> | StateResponse;
  /** Answers as `refresh` would and changes nothing. Absent: the method answers UNIMPLEMENTED. */
  validate?(request: RefreshRequest): Promise<RefreshResponse> | RefreshResponse;
}

/** The methods of the service. */
export type RefreshMethodName = "Refresh" | "Validate" | "State";

/** Options of {@link startRefreshServer}. */
export interface RefreshServerOptions {
  /**
   * Accepted tokens. Usually one; two while a token is rotated (the new one and the old one).
   * A call carrying none of them is answered UNAUTHENTICATED before any handler runs.
   */
  tokens: readonly string[] | (() => readonly string[]);
  /** Interface to listen on; default `0.0.0.0` (Cloud Map hands out the instance's address). */
  host?: string;
  /** Port; default 0 (the OS picks one; read it from the result). */
  port?: number;
  /** Server credentials; default insecure (inside the VPC; pass TLS credentials to encrypt). */
  credentials?: grpc.ServerCredentials;
  /** Called once per refused call, with the method name, for counters and logs (never the token). */
  onUnauthenticated?(method: RefreshMethodName): void;
}

/** A running refresh server. */
export interface RunningRefreshServer {
  /** The port it listens on. */
  port: number;
  /** Stops accepting calls, lets in-flight calls finish for up to `graceMs`, then forces. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Serves `refresh.proto` on one port: checks the token of every call in constant time, then hands
 * the call to `handlers`. The server side of the protocol, used by the client library and by tests.
 *
 * @example
 * ```ts
 * const server = await startRefreshServer({ tokens: [token], port: 50051 }, {
 *   refresh: (req) => apply(req.changes),
 *   state: () => currentState(),
 * });
 * ```
 */
export async function startRefreshServer(
  options: RefreshServerOptions,
  handlers: RefreshCallHandlers,
): Promise<RunningRefreshServer> {
  const tokens = typeof options.tokens === "function" ? options.tokens : () => options.tokens as readonly string[];
  const authorized = (metadata: grpc.Metadata): boolean => tokens().some((token) => hasRefreshToken(metadata, token));
  const unary =
    <Req, Res>(method: RefreshMethodName, run: (request: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      if (!authorized(call.metadata)) {
        options.onUnauthenticated?.(method);
        callback(unauthenticatedError());
        return;
      }
      Promise.resolve()
        .then(() => run(call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) =>
            callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
        );
    };
  const implementation: Omit<RefreshServiceHandlers, "Validate"> & Partial<Pick<RefreshServiceHandlers, "Validate">> = {
    Refresh: unary<RefreshRequest, RefreshResponse>("Refresh", (r) => handlers.refresh(r)),
    State: unary<StateRequest, StateResponse>("State", (r) => handlers.state(r)),
  };
  const validate = handlers.validate?.bind(handlers);
  // Without a handler grpc-js answers the method UNIMPLEMENTED, as an instance that predates it does.
  if (validate) implementation.Validate = unary<RefreshRequest, RefreshResponse>("Validate", validate);
  const server = new grpc.Server();
  server.addService(refreshServiceDefinition(), implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${options.host ?? "0.0.0.0"}:${options.port ?? 0}`,
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    port,
    stop: (graceMs = 2000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
