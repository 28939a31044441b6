import type { SSMClient } from "@aws-sdk/client-ssm";
import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import type { ServerCredentials } from "@grpc/grpc-js";
import type { RedisOptions } from "ioredis";
import type { ConfigSchema } from "./config";

/**
 * Where the stream lives: a URL (`redis://host:6379`, `rediss://user:password@host:6379` for TLS) or
 * ioredis options (for the pipeline's ElastiCache, TLS and the services' user, the stack outputs
 * `redisServiceUserName` and `redisServicePasswordParameterName`: `{ host, port: 6379, tls: {}, username,
 * password }`; that user reads the stream and writes only the acks). The client opens its own connections from it.
 */
export type RedisConnectionOptions = string | RedisOptions;

/**
 * Where log lines go: a Powertools `Logger` or `console` fit (the client passes one attributes
 * object). Messages never carry parameter values.
 */
export interface ClientLogger {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** How the client reads the stream of changes. */
export interface StreamReadOptions {
  /**
   * XREAD BLOCK duration, ms: an idle client sends one XREAD per block (Redis answers it when a change
   * arrives, or empty when the block ends). Default 60000. `{ blockMs: 5000, positionCheckEvery: 1 }`
   * reads as the client formerly did: 6 commands every 5 s when idle.
   */
  blockMs?: number;
  /**
   * An idle client checks the stream position (trimmed, recreated or failed over: one MULTI of XINFO
   * STREAM, GET epoch and INFO replication, 5 commands) once every this many idle blocks, at a random
   * phase so that a fleet spreads its checks; besides, it checks after every reconnection and before a
   * batch that does not follow its last id. Default 10: with the default block, 1 + 5/10 = 1.5 Redis
   * commands a minute, all connections counted. 1 checks after every idle block.
   */
  positionCheckEvery?: number;
  /**
   * How long past `blockMs` the stream connection may stay silent while a read waits before the client
   * takes it for dead (a cut that sent no FIN or RST, a frozen peer), ms: it is closed and reopened,
   * the position checked, the read resumed from the last id. Such a cut is noticed within `blockMs +
   * timeoutGraceMs` (70 s by default). Default 10000.
   */
  timeoutGraceMs?: number;
  /**
   * Most entries per XREAD (one swap per batch; a full batch that ends inside one publication, the
   * entries of one Lambda invocation, is extended to the publication's end). Default 100.
   */
  batchSize?: number;
  /** Reconnection backoff of the stream connection (doubling, with jitter). Default 100 ms … 5000 ms. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /**
   * How long start waits to read the stream position. When Redis does not answer in time, the
   * client starts anyway (SSM is the source of truth) and, once Redis answers, records the
   * position and reloads everything. Default 5000.
   */
  startTimeoutMs?: number;
}

/** The acknowledgements the client writes on `streamKeys(streamKey).acks`. */
export interface AckOptions {
  /** Approximate length the acks stream is trimmed to (XADD MAXLEN ~). Default 10000. */
  maxLength?: number;
}

/** The gRPC `Refresh`/`State` endpoint the refresh Lambda calls. */
export interface RefreshServerConfig {
  /** Accepted tokens (two while rotating), or a function that returns the current ones. */
  tokens: readonly string[] | (() => readonly string[]);
  /** Interface to listen on. Default `0.0.0.0`; `[::]` when the instance registers an IPv6 address. */
  host?: string;
  /**
   * Port. Default, when the instance is registered: the pipeline's refresh port (see
   * `pipelineRefreshPort`; 50051 when unknown). Otherwise 0: the OS picks one (read `client.refreshPort`).
   */
  port?: number;
  /** TLS credentials; default insecure (inside the VPC). Not with `tls`. */
  credentials?: ServerCredentials;
  /**
   * Serve TLS with the team's certificate: PEM of the certificate (chain) and of its private key. The
   * function trusts only the CA it is given (`CONFIG_REFRESH_RPC_TLS_CA`) and checks the name
   * `CONFIG_REFRESH_RPC_TLS_SERVER_NAME` in it. Not with `credentials`.
   */
  tls?: { certificatePem: string; privateKeyPem: string };
}

/**
 * The refresh port the pipeline's security group opens to the refresh function (the stack output
 * `refreshPort`), or `any` where nothing filters ports (the local pipeline). Default: the variable
 * `CONFIG_REFRESH_PORT` (a port or `any`; set it in the task definition from the stack output), else
 * unknown. When known, the refresh server defaults to it and a registration of any other port is refused.
 */
export type PipelineRefreshPortOption = number | "any";

/**
 * Registration of the instance in AWS Cloud Map by the client itself, so the refresh Lambda finds it
 * (`DiscoverInstances`, `HealthStatus: HEALTHY`).
 */
export interface CloudMapRegistrationOptions {
  /** `client` (default): the client registers at start and deregisters on close. */
  registeredBy?: "client";
  client: ServiceDiscoveryClient;
  /** The Cloud Map service id (`srv-...`). */
  serviceId: string;
  /**
   * The address the Lambda calls, IPv4 (`AWS_INSTANCE_IPV4`) or IPv6 (`AWS_INSTANCE_IPV6`); never
   * link-local. Default: in an ECS task, the task ENI's address from the task metadata endpoint v4
   * (`ECS_CONTAINER_METADATA_URI_V4`; awsvpc, IPv4 first); elsewhere this host's first non-internal,
   * non-link-local address. Required, with `port`, in ECS bridge mode (the host's address and port).
   */
  address?: string;
  /** The port the Lambda calls (`AWS_INSTANCE_PORT`). Default: the refresh server's port. */
  port?: number;
  /** See {@link PipelineRefreshPortOption}. */
  pipelineRefreshPort?: PipelineRefreshPortOption;
  /** Scope attributes, such as `{ tenant: "acme" }`. May not redefine the `AWS_*` attributes. */
  attributes?: Readonly<Record<string, string>>;
  /**
   * True (default) when the service has a custom health check (`HealthCheckCustomConfig`): the
   * instance registers UNHEALTHY, turns HEALTHY when ready and UNHEALTHY first when closing.
   */
  customHealthCheck?: boolean;
}

/**
 * The platform registers the instance: an ECS service with `serviceRegistries` registers each task
 * in Cloud Map when it starts and deregisters it when it stops, and reports its health (the service's
 * custom health check). The client then neither registers nor deregisters; it still serves `Refresh`,
 * on the pipeline's refresh port by default. ECS sets `AWS_INSTANCE_IPV4`, `AWS_INSTANCE_PORT` (the
 * registry's port: give `serviceRegistries` the refresh port as `containerName` + `containerPort`,
 * or the fan-out reports the task "registered without a valid AWS_INSTANCE_PORT"), `AVAILABILITY_ZONE`,
 * `REGION`, `ECS_CLUSTER_NAME`, `ECS_SERVICE_NAME`, `ECS_TASK_DEFINITION_FAMILY` and, on EC2,
 * `EC2_INSTANCE_ID`. It sets no custom attribute: a scoped fan-out can select only on those.
 */
export interface PlatformRegistrationOptions {
  registeredBy: "ecs";
  /** See {@link PipelineRefreshPortOption}. */
  pipelineRefreshPort?: PipelineRefreshPortOption;
}

/**
 * Options of {@link createConfigClient}.
 *
 * @example
 * ```ts
 * const client = await createConfigClient({
 *   parameterPath: "/shop/beta/",
 *   ssm: new SSMClient({ retryMode: "adaptive" }), // throttled by SSM, it slows down
 *   redis: { host: "stream.abc.cache.amazonaws.com", port: 6379, tls: {}, username: "config-refresh-service",
 *     password },
 *   schema: { log_level: z.enum(["debug", "info", "warn", "error"]) },
 * });
 * ```
 */
export interface ConfigClientOptions<S extends ConfigSchema = ConfigSchema> {
  /** The path whose parameters the instance holds, `/<app>/<env>/` (leading and trailing slash). */
  parameterPath: string;
  /** Client used for `GetParametersByPath` and SecureString reads (decrypted). */
  ssm: SSMClient;
  redis: RedisConnectionOptions;
  /** Stream key; default `defaultStreamKey(parameterPath)`. */
  streamKey?: string;
  /** Schemas per relative key; keys without a schema hold their raw string. */
  schema?: S;
  /**
   * When true, only the keys of the schema are held: other names are ignored at load and refused
   * (`UNKNOWN_NAME`) when they change. Default false.
   */
  strict?: boolean;
  /**
   * When the schema refuses SSM's current value of a key at start: `true` (default) starts on the
   * newest version of its history the schema accepts and reports the key held back (`held-back`
   * event, `state().heldBack`); `false` refuses to start, naming the key. Needs
   * `ssm:GetParameterHistory` on the path (the pipeline's service policy grants it).
   */
  bootOnLastValid?: boolean;
  /** This instance's id (acks, `State`, Cloud Map). Default `<hostname>-<pid>`. */
  instanceId?: string;
  /**
   * Interval of the full reload that checks for drift from SSM, ms (default 3600000). The first
   * falls at a random point of the interval, so a fleet started together spreads over it.
   */
  reloadIntervalMs?: number;
  /**
   * After a reset of the stream (new epoch, Redis failover, entries trimmed) every instance learns
   * of it at once: each reloads at a random point of this window, ms, reading the new stream
   * meanwhile (default 30000, or scaled to `fleet`; 0 reloads at once; at most an hour).
   */
  resetReloadWindowMs?: number;
  /**
   * A SecureString change carries no value: each instance reads it from SSM after a random wait of
   * at most this long, ms, so a fleet spreads its reads (default 1000, or scaled to `fleet`; 0 reads
   * at once; at most an hour). Other changes do not wait for it.
   */
  secureReadJitterMs?: number;
  /**
   * The fleet this instance is one of, so that what the whole fleet reads from SSM at once (a reset's
   * reloads, a SecureString change's reads) spreads long enough for SSM's quota, which every reader
   * of the account and region shares: `instances` together average at most `ssmCallsPerSecond`
   * (default 20, half the default quota of 40). Gives the defaults of `resetReloadWindowMs` (instances ×
   * pages of a load ÷ calls a second) and `secureReadJitterMs` (instances ÷ calls a second), never
   * below their fixed defaults; an explicit one wins.
   */
  fleet?: { instances: number; ssmCallsPerSecond?: number };
  stream?: StreamReadOptions;
  /** Acknowledgements; `false` writes none. */
  acks?: AckOptions | false;
  /** Serve `refresh.proto` (omit for stream-only instances). */
  refreshServer?: RefreshServerConfig;
  /** Register in Cloud Map at start and deregister on close, or let ECS do it (omit: not registered). */
  registration?: CloudMapRegistrationOptions | PlatformRegistrationOptions;
  /** Default: warnings and errors as JSON lines on stderr. */
  logger?: ClientLogger;
}
