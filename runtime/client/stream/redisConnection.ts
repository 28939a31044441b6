import { Redis, type RedisOptions } from "ioredis";
import type { RedisConnectionOptions } from "../types";

/** Reconnection delays: doubling from `minDelayMs` up to `maxDelayMs`, with ±25 % jitter. */
export interface ReconnectBackoff {
  minDelayMs: number;
  maxDelayMs: number;
}

/** The delay before attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, backoff: ReconnectBackoff): number {
  const base = Math.min(backoff.maxDelayMs, backoff.minDelayMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * TCP keepalive from this much silence on a connection, ms (the OS sets the probes' interval and
 * count): a dead peer of an idle connection (acks, checks) is found without a Redis command.
 */
const TCP_KEEPALIVE_MS = 30_000;

/**
 * A lazily connecting ioredis connection from a URL or options, with the client's reconnection
 * backoff and name and TCP keepalive (options given with the connection may set another);
 * `overrides` win over all.
 */
export function createRedisConnection(
  connection: RedisConnectionOptions,
  backoff: ReconnectBackoff,
  overrides: RedisOptions,
): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    retryStrategy: (times) => backoffDelay(times, backoff),
    ...overrides,
  };
  return typeof connection === "string"
    ? new Redis(connection, { keepAlive: TCP_KEEPALIVE_MS, ...options })
    : new Redis({ keepAlive: TCP_KEEPALIVE_MS, ...connection, ...options });
}

/** How long the stream reader blocks, and how long past that silence means a dead connection. */
export interface StreamConnectionTiming {
  blockMs: number;
  timeoutGraceMs: number;
}

/**
 * The connection the stream reader blocks on (`XREAD BLOCK blockMs`), named after the instance. A
 * connection silent for `blockMs + timeoutGraceMs` while a command waits is destroyed (ioredis
 * `socketTimeout`) and reopened: a cut that sends no FIN or RST is noticed within that time.
 */
export function createStreamConnection(
  connection: RedisConnectionOptions,
  backoff: ReconnectBackoff,
  instanceId: string,
  timing: StreamConnectionTiming,
): Redis {
  const redis = createRedisConnection(connection, backoff, {
    connectionName: `config-refresh:${instanceId}:stream`,
    // The read loop owns retries: its calls wait for the connection instead of failing.
    maxRetriesPerRequest: null,
    // The loop abandons a call the drop left unanswered and checks its position first (see StreamReader).
    autoResendUnfulfilledCommands: false,
    // A blocked XREAD answers within blockMs: silence past the grace means a dead connection.
    socketTimeout: timing.blockMs + timing.timeoutGraceMs,
  });
  return redis.on("close", () => clearSocketTimeout(redis));
}

/**
 * ioredis 5 leaves the socket timeout of a connection that closed armed (redis/ioredis#2147): it
 * would destroy the next connection at the old deadline, and keep a closed client's process alive
 * until then. Cleared when the connection closes, as ioredis 6 does; nothing is armed then.
 */
function clearSocketTimeout(redis: Redis): void {
  const internals = redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
  clearTimeout(internals.socketTimeoutTimer);
  internals.socketTimeoutTimer = undefined;
}

/** The connection the acknowledgements are written on, named after the instance. */
export function createAckConnection(
  connection: RedisConnectionOptions,
  backoff: ReconnectBackoff,
  instanceId: string,
): Redis {
  return createRedisConnection(connection, backoff, {
    connectionName: `config-refresh:${instanceId}:acks`,
    maxRetriesPerRequest: 10,
  });
}
