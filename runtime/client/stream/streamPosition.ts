import type { Redis } from "ioredis";
import type { StreamKeys } from "../../protocol";
import { compareStreamIds, STREAM_START_ID } from "./streamIds";

/** Where a client reads the stream from, and what it knew of the stream when it got there. */
export interface StreamPosition {
  /** XREAD from this id. */
  readonly lastId: string;
  /**
   * How many entries were ever added up to `lastId` (XINFO's `entries-added` when the position
   * was recorded, plus the entries read since). Undefined on Redis < 7, which does not report it.
   */
  readonly consumed: number | undefined;
  /** The stream's epoch when the position was recorded (null when none was set). */
  readonly epoch: string | null;
  /**
   * Redis's replication id (`master_replid`) when the position was last checked; undefined when
   * the server does not report one. A new id with a previous one set means a replica was promoted.
   */
  readonly replicationId?: string;
}

/** What `XINFO STREAM` and the epoch key say now. */
export interface StreamInfo {
  readonly exists: boolean;
  /** `last-generated-id` ("0-0" when the stream does not exist). */
  readonly lastGeneratedId: string;
  readonly length: number;
  /** `entries-added` (Redis 7+). */
  readonly entriesAdded?: number;
  /** `max-deleted-entry-id` (Redis 7+; moved by XDEL, not by trimming). */
  readonly maxDeletedId?: string;
  /** Id of the first entry, when there is one. */
  readonly firstEntryId?: string;
  readonly epoch: string | null;
  /** `master_replid` of the server (INFO replication), when it reports one. */
  readonly replicationId?: string;
  /**
   * `master_replid2`, when set: the replication id this server had (as a replica, of the primary
   * it was promoted from, or of its own past). Unset (all zeros) after a plain start.
   */
  readonly previousReplicationId?: string;
}

/** What a position is worth against the stream as it is now. */
export type PositionVerdict = "ok" | "trimmed" | "recreated" | "failover";

/** `master_replid2` of a server that has no previous replication id. */
const NO_REPLICATION_ID = /^0+$/;

/**
 * Reads `XINFO STREAM`, the epoch key and `INFO replication` in one MULTI, so all describe the
 * same moment (the Lambda's script changes the first two together). A server that refuses INFO
 * only loses the failover check.
 */
export async function readStreamInfo(redis: Redis, keys: StreamKeys): Promise<StreamInfo> {
  const replies = await redis.multi().xinfo("STREAM", keys.stream).get(keys.epoch).info("replication").exec();
  if (replies?.length !== 3) throw new Error("MULTI XINFO STREAM / GET / INFO was discarded");
  const [[infoError, info], [epochError, epoch], [, replication]] = replies as [
    [Error | null, unknown],
    [Error | null, unknown],
    [Error | null, unknown],
  ];
  if (epochError) throw epochError;
  const epochText = typeof epoch === "string" ? epoch : null;
  const ids = replicationIdsOf(replication);
  if (infoError) {
    if (/no such key/i.test(infoError.message))
      return { exists: false, lastGeneratedId: STREAM_START_ID, length: 0, epoch: epochText, ...ids };
    throw infoError;
  }
  return { ...xinfoStreamFields(info), epoch: epochText, ...ids };
}

/**
 * The fields of an `XINFO STREAM` reply (flat name/value list) of an existing stream: last id, length,
 * `entries-added` and `max-deleted-entry-id` (Redis 7+), the first entry's id.
 */
export function xinfoStreamFields(
  reply: unknown,
): Pick<StreamInfo, "exists" | "lastGeneratedId" | "length" | "entriesAdded" | "maxDeletedId" | "firstEntryId"> {
  const fields = new Map<string, unknown>();
  const flat = Array.isArray(reply) ? (reply as unknown[]) : [];
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
  const firstEntry = fields.get("first-entry");
  const entriesAdded = fields.get("entries-added");
  const maxDeleted = fields.get("max-deleted-entry-id");
  return {
    exists: true,
    lastGeneratedId: String(fields.get("last-generated-id") ?? STREAM_START_ID),
    length: Number(fields.get("length") ?? 0),
    ...(entriesAdded !== undefined ? { entriesAdded: Number(entriesAdded) } : {}),
    ...(maxDeleted !== undefined ? { maxDeletedId: String(maxDeleted) } : {}),
    ...(Array.isArray(firstEntry) && typeof firstEntry[0] === "string" ? { firstEntryId: firstEntry[0] } : {}),
  };
}

/** `master_replid` and a set `master_replid2` from an `INFO replication` reply (nothing from anything else). */
function replicationIdsOf(reply: unknown): Pick<StreamInfo, "replicationId" | "previousReplicationId"> {
  if (typeof reply !== "string") return {};
  const field = (name: string): string | undefined => new RegExp(`^${name}:([0-9a-f]+)\\s*$`, "m").exec(reply)?.[1];
  const current = field("master_replid");
  const previous = field("master_replid2");
  return {
    ...(current !== undefined ? { replicationId: current } : {}),
    ...(previous !== undefined && !NO_REPLICATION_ID.test(previous) ? { previousReplicationId: previous } : {}),
  };
}

/** The position at the current end of the stream: read from here, reload everything before. */
export function positionAt(info: StreamInfo): StreamPosition {
  return {
    lastId: info.lastGeneratedId,
    consumed: info.exists ? info.entriesAdded : 0,
    epoch: info.epoch,
    ...(info.replicationId !== undefined ? { replicationId: info.replicationId } : {}),
  };
}

/** The position at the end of the stream now; rejects when Redis does not answer within `timeoutMs`. */
export async function readPositionWithin(redis: Redis, keys: StreamKeys, timeoutMs: number): Promise<StreamPosition> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return positionAt(await Promise.race([readStreamInfo(redis, keys), timeout]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether reading on from `position` can miss changes:
 * - `recreated` when the stream is gone (after the client read from it), its epoch changed or
 *   vanished, or it is behind the client (last id or entries-added lower than the client's);
 * - `trimmed` when an entry after `lastId` was removed before the client read it: more entries
 *   were removed from the head (`entries-added − length`) than the client consumed, or XDEL
 *   removed one after it (`max-deleted-entry-id`). Redis < 7 reports neither: there, a first
 *   entry after `lastId` counts as trimmed (conservative: at worst one reload too many);
 * - `failover` when the server is not the one the position was checked on and was promoted from a
 *   replica (a new `master_replid` with a `master_replid2` set): replication is asynchronous, so
 *   the last entries the old primary took may be lost, and a reader that had not read them yet
 *   sees no gap. A restart keeps no previous id (the checks above cover what it loses).
 */
export function assessStreamPosition(position: StreamPosition, info: StreamInfo): PositionVerdict {
  if (!info.exists) return position.lastId !== STREAM_START_ID || position.epoch !== null ? "recreated" : "ok";
  if (position.epoch !== null && info.epoch !== position.epoch) return "recreated";
  if (compareStreamIds(info.lastGeneratedId, position.lastId) < 0) return "recreated";
  if (info.entriesAdded !== undefined && position.consumed !== undefined) {
    if (info.entriesAdded < position.consumed) return "recreated";
    if (info.entriesAdded - info.length > position.consumed) return "trimmed";
  } else if (
    info.firstEntryId !== undefined &&
    position.lastId !== STREAM_START_ID &&
    compareStreamIds(info.firstEntryId, position.lastId) > 0
  ) {
    return "trimmed";
  }
  if (info.maxDeletedId !== undefined && compareStreamIds(info.maxDeletedId, position.lastId) > 0) return "trimmed";
  const promoted =
    info.previousReplicationId !== undefined &&
    position.replicationId !== undefined &&
    info.replicationId !== undefined &&
    info.replicationId !== position.replicationId;
  return promoted ? "failover" : "ok";
}
