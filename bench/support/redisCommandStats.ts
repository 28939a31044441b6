import type { Redis } from "ioredis";

/** `INFO commandstats` by command (shared with the tests: runtime/local/servers). */
export { redisCommandCounts } from "../../runtime/local/servers";

/** Clients blocked in a command (XREAD BLOCK) right now, from `INFO clients`. */
export async function blockedClients(redis: Redis): Promise<number> {
  const text = await redis.info("clients");
  const match = /blocked_clients:(\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}
