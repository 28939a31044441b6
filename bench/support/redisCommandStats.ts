import type { Redis } from "ioredis";

/**
 * Redis commands executed by the server, by command, from `INFO commandstats` (commands run inside
 * a Lua script count too, under their own name). Only meaningful on the bench's own Redis.
 */
export async function redisCommandCounts(redis: Redis): Promise<Record<string, number>> {
  const text = await redis.info("commandstats");
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

/** Clients blocked in a command (XREAD BLOCK) right now, from `INFO clients`. */
export async function blockedClients(redis: Redis): Promise<number> {
  const text = await redis.info("clients");
  const match = /blocked_clients:(\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}
