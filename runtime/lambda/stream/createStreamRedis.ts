import Redis from "ioredis";

/** Options of {@link createStreamRedis}. */
export interface StreamRedisOptions {
  /** Redis AUTH token (ElastiCache), when the URL does not carry one. */
  password?: string;
  /** Fail a command that gets no answer after this long (a frozen server); default 2000 ms. */
  commandTimeoutMs?: number;
}

/**
 * The function's Redis connection, tuned to fail fast: a command waits for at most one reconnect
 * and `commandTimeoutMs`, so Redis being down makes the invocation throw within seconds (and
 * EventBridge retry it) instead of hanging until the Lambda timeout. `rediss://` turns TLS on.
 *
 * @example
 * ```ts
 * const redis = createStreamRedis("rediss://master.my-cache.use1.cache.amazonaws.com:6379", { password });
 * ```
 */
export function createStreamRedis(url: string, options: StreamRedisOptions = {}): Redis {
  return new Redis(url, {
    ...(options.password !== undefined ? { password: options.password } : {}),
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    lazyConnect: true,
  });
}
