import type { Redis } from "ioredis";
import { parseAckEntry, type AckMessage } from "../../protocol/ackMessage";
import { streamKeys } from "../../protocol/streamKeys";

/** Acknowledgements read from the acks stream, and where to continue from. */
export interface AckBatch {
  acks: AckMessage[];
  /** The last entry id read (pass it back as `after`); unchanged when nothing was read. */
  lastId: string;
}

/** Entries read per XRANGE call. */
const ACKS_PER_CALL = 1_000;

/**
 * Reads the acknowledgements the instances wrote after entry `after` (default: from the start),
 * at most `count` of them. Malformed entries are skipped.
 *
 * @example
 * ```ts
 * let cursor = "0-0";
 * const { acks, lastId } = await readAcks(redis, "config-refresh:{/shop/beta/}", cursor);
 * cursor = lastId;
 * ```
 */
export async function readAcks(
  redis: Redis,
  streamKey: string,
  after = "0-0",
  count = ACKS_PER_CALL,
): Promise<AckBatch> {
  const entries = await redis.xrange(streamKeys(streamKey).acks, `(${after}`, "+", "COUNT", count);
  const acks: AckMessage[] = [];
  for (const [id, fields] of entries) {
    const parsed = parseAckEntry(id, fields);
    if (parsed.ok) acks.push(parsed.ack);
  }
  return { acks, lastId: entries.at(-1)?.[0] ?? after };
}

/** The id of the acks stream's newest entry (`0-0` when empty): read acks after it to see only new ones. */
export async function latestAckId(redis: Redis, streamKey: string): Promise<string> {
  const [last] = await redis.xrevrange(streamKeys(streamKey).acks, "+", "-", "COUNT", 1);
  return last?.[0] ?? "0-0";
}
