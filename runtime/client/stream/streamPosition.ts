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
}

/** What a position is worth against the stream as it is now. */
export type PositionVerdict = "ok" | "trimmed" | "recreated";

/**
 * Reads `XINFO STREAM` and the epoch key in one MULTI, so both describe the same moment (the
 * Lambda's script changes them together).
 */
export async function readStreamInfo(redis: Redis, keys: StreamKeys): Promise<StreamInfo> {
  const replies = await redis.multi().xinfo("STREAM", keys.stream).get(keys.epoch).exec();
  if (!replies || replies.length !== 2) throw new Error("MULTI XINFO STREAM / GET was discarded");
  const [[infoError, info], [epochError, epoch]] = replies as [[Error | null, unknown], [Error | null, unknown]];
  if (epochError) throw epochError;
  const epochText = typeof epoch === "string" ? epoch : null;
  if (infoError) {
    if (/no such key/i.test(infoError.message)) return { exists: false, lastGeneratedId: STREAM_START_ID, length: 0, epoch: epochText };
    throw infoError;
  }
  const fields = new Map<string, unknown>();
  const flat = info as unknown[];
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
    epoch: epochText,
  };
}

/** The position at the current end of the stream: read from here, reload everything before. */
export function positionAt(info: StreamInfo): StreamPosition {
  return { lastId: info.lastGeneratedId, consumed: info.exists ? info.entriesAdded : 0, epoch: info.epoch };
}

/**
 * Whether reading on from `position` can miss changes:
 * - `recreated` when the stream is gone (after the client read from it), its epoch changed or
 *   vanished, or it is behind the client (last id or entries-added lower than the client's);
 * - `trimmed` when an entry after `lastId` was removed before the client read it: more entries
 *   were removed from the head (`entries-added − length`) than the client consumed, or XDEL
 *   removed one after it (`max-deleted-entry-id`). Redis < 7 reports neither: there, a first
 *   entry after `lastId` counts as trimmed (conservative: at worst one reload too many).
 */
export function assessStreamPosition(position: StreamPosition, info: StreamInfo): PositionVerdict {
  if (!info.exists) return position.lastId !== STREAM_START_ID || position.epoch !== null ? "recreated" : "ok";
  if (position.epoch !== null && info.epoch !== position.epoch) return "recreated";
  if (compareStreamIds(info.lastGeneratedId, position.lastId) < 0) return "recreated";
  if (info.entriesAdded !== undefined && position.consumed !== undefined) {
    if (info.entriesAdded < position.consumed) return "recreated";
    if (info.entriesAdded - info.length > position.consumed) return "trimmed";
  } else if (info.firstEntryId !== undefined && position.lastId !== STREAM_START_ID && compareStreamIds(info.firstEntryId, position.lastId) > 0) {
    return "trimmed";
  }
  if (info.maxDeletedId !== undefined && compareStreamIds(info.maxDeletedId, position.lastId) > 0) return "trimmed";
  return "ok";
}
