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
 * A lazily connecting ioredis connection from a URL or options, with the client's reconnection
 * backoff and name; `overrides` win over both.
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
  return typeof connection === "string" ? new Redis(connection, options) : new Redis({ ...connection, ...options });
}

/** The connection the stream reader blocks on (`XREAD BLOCK blockMs`), named after the instance. */
export function createStreamConnection(
  connection: RedisConnectionOptions,
  backoff: ReconnectBackoff,
  instanceId: string,
  blockMs: number,
): Redis {
  return createRedisConnection(connection, backoff, {
    connectionName: `config-refresh:${instanceId}:stream`,
    // The read loop owns retries: its XREAD waits for the connection instead of failing.
    maxRetriesPerRequest: null,
    // A blocked XREAD answers within blockMs; silence past that means a dead peer (no FIN).
    socketTimeout: blockMs + Math.max(2_000, blockMs),
  });
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
