import Redis from "ioredis";

/** Options of {@link createStreamRedis}. */
export interface StreamRedisOptions {
  /** The Redis user (ElastiCache role-based access control); absent: AUTH with the password alone. */
  username?: string;
  /** Its password, or an AUTH token, when the URL does not carry one. */
  password?: string;
  /** Fail a command that gets no answer after this long (a frozen server); default 2000 ms. */
  commandTimeoutMs?: number;
}

/** Errors of a node that cannot take writes now: demoted by a failover (`READONLY`) or loading its data (`LOADING`). */
const RECONNECT_ERRORS = /^(READONLY|LOADING)\b/;
/** A socket that got no byte for this long after the command timeout is destroyed (and reconnected). */
const SOCKET_TIMEOUT_MARGIN_MS = 1_000;

/**
 * The function's Redis connection, tuned to fail fast: a command waits for at most one reconnect
 * and `commandTimeoutMs`, so Redis being down makes the invocation throw within seconds (and
 * EventBridge retry it) instead of hanging until the Lambda timeout. `rediss://` turns TLS on.
 *
 * A warm Lambda keeps this connection across invocations: after an ElastiCache failover it may
 * still talk to the demoted node, which answers `READONLY` to every write. On `READONLY` or
 * `LOADING` it reconnects (the endpoint's DNS now names the new primary) and sends the command
 * again, within the same command timeout; a socket that stays silent is destroyed
 * (`socketTimeout`) rather than waited on.
 *
 * @example
 * ```ts
 * const redis = createStreamRedis("rediss://master.my-cache.use1.cache.amazonaws.com:6379", { username, password });
 * ```
 */
export function createStreamRedis(url: string, options: StreamRedisOptions = {}): Redis {
  const commandTimeout = options.commandTimeoutMs ?? 2_000;
  return new Redis(url, {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    connectTimeout: 2_000,
    commandTimeout,
    socketTimeout: commandTimeout + SOCKET_TIMEOUT_MARGIN_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    // 2: reconnect, then send the failed command again (the publish script is idempotent).
    reconnectOnError: (error) => (RECONNECT_ERRORS.test(error.message) ? 2 : false),
    lazyConnect: true,
  });
}
