import type { Redis } from "ioredis";

/**
 * Redis commands executed by the server, by command, from `INFO commandstats` (commands run inside
 * a Lua script count too, under their own name; this call's own INFO counts in the next one). Only
 * meaningful on a Redis of one's own.
 */
export async function redisCommandCounts(redis: Redis): Promise<Record<string, number>> {
  const text = await redis.info("commandstats");
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [, command, calls] = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim()) ?? [];
    if (command !== undefined) counts[command] = Number(calls);
  }
  return counts;
}
