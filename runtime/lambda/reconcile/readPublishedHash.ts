import type Redis from "ioredis";

/** Fields per `HSCAN` step: a large hash is read without blocking Redis for one long command. */
const SCAN_COUNT = 1_000;
/** Steps at most (a bound on the loop; far above any prefix's parameter count). */
const MAX_STEPS = 100_000;

/**
 * The whole `published` hash (name → raw JSON revision), read with `HSCAN` so a hash of 10,000
 * names never blocks the node for other clients. A field seen twice (HSCAN may repeat) keeps one value.
 */
export async function readPublishedHash(redis: Redis, key: string): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  let cursor = "0";
  for (let step = 0; step < MAX_STEPS; step++) {
    const [next, fields] = await redis.hscan(key, cursor, "COUNT", SCAN_COUNT);
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const field = fields[i];
      const value = fields[i + 1];
      if (field !== undefined && value !== undefined) held.set(field, value);
    }
    cursor = next;
    if (cursor === "0") return held;
  }
  throw new Error(`HSCAN ${key} did not finish within ${MAX_STEPS} steps`);
}
