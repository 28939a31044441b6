import { parseIsoTime, readEntryFields, readInstanceFields, type StreamEntryRejection } from "./entryFields";
import { isRefusalEntry } from "./refusalMessage";

/** The acknowledgement format this code writes and reads. */
export const ACK_FORMAT_VERSION = 1;

/** How an instance came to hold a version. */
export type AckVia =
  /** Read from the Redis stream of changes. */
  | "stream"
  /** Received on the `Refresh` RPC. */
  | "rpc"
  /** Found by a full reload (TTL, trimmed or recreated stream). */
  | "reload"
  /** Loaded when the instance started. */
  | "boot";

/** Every `via`, for validation. */
export const ACK_VIAS: readonly AckVia[] = ["stream", "rpc", "reload", "boot"];

/**
 * What one instance applied: one entry of the acks stream (`streamKeys(streamKey).acks`), written
 * by the client library once per (instance, name, version) it applies. Reading the acks of a
 * version from every instance measures "change committed → applied on the last instance".
 * Delivery is at least once: an XADD in flight when Redis goes away may have been written before
 * the connection dropped and is sent again after it reconnects, so the same entry (every field
 * equal) can appear twice; readers count (instance, name, version) once.
 *
 * On the wire (XADD field list, flat strings, times as ISO 8601 with milliseconds):
 * `format 1 instance <id> name <full SSM name> version <n> via <stream|rpc|reload|boot>
 * appliedAt <iso>` then, when known, `modifiedAt`, `changedAt`, `publishedAt` and `streamId`.
 *
 * @example
 * ```ts
 * const ack: AckMessage = {
 *   format: 1, instanceId: "i-0a1b", name: "/shop/beta/log_level", version: 7, via: "stream",
 *   appliedAt: Date.now(), changedAt: Date.parse("2026-11-25T12:00:00Z"),
 * };
 * ```
 */
export interface AckMessage {
  /** Format version of the message. */
  format: 1;
  /** The instance that applied the change (its Cloud Map instance id when registered). */
  instanceId: string;
  /** Full SSM name. */
  name: string;
  /** SSM version now held (for a Delete: the last version it removed). */
  version: number;
  via: AckVia;
  /** When the instance applied it, epoch ms. */
  appliedAt: number;
  /** SSM's LastModifiedDate of the version, epoch ms, when known. */
  modifiedAt?: number;
  /** Time of the change event, epoch ms (stream and RPC paths). */
  changedAt?: number;
  /** When the refresh Lambda published the change (stream) or sent the call (RPC), epoch ms. */
  publishedAt?: number;
  /** The id of the stream entry that carried the change (stream path). */
  streamId?: string;
}

/** The result of {@link parseAckEntry}: an acknowledgement, or why the entry was skipped. */
export type ParsedAckEntry =
  | { ok: true; id: string; ack: AckMessage }
  | { ok: false; id: string; rejection: StreamEntryRejection; detail: string };

/**
 * The XADD field list of an acknowledgement (`["format", "1", "instance", "i-0a1b", ...]`).
 *
 * @example
 * ```ts
 * await redis.xadd(streamKeys(key).acks, "MAXLEN", "~", 10000, "*", ...buildAckFields(ack));
 * ```
 */
export function buildAckFields(ack: Omit<AckMessage, "format">): string[] {
  const fields = [
    "format",
    String(ACK_FORMAT_VERSION),
    "instance",
    ack.instanceId,
    "name",
    ack.name,
    "version",
    String(ack.version),
    "via",
    ack.via,
    "appliedAt",
    new Date(ack.appliedAt).toISOString(),
  ];
  if (ack.modifiedAt !== undefined) fields.push("modifiedAt", new Date(ack.modifiedAt).toISOString());
  if (ack.changedAt !== undefined) fields.push("changedAt", new Date(ack.changedAt).toISOString());
  if (ack.publishedAt !== undefined) fields.push("publishedAt", new Date(ack.publishedAt).toISOString());
  if (ack.streamId !== undefined) fields.push("streamId", ack.streamId);
  return fields;
}

/**
 * Reads one acks-stream entry (as ioredis returns it: id and flat field list). Never throws: an
 * entry of an unknown format version or with bad fields comes back as a rejection (a refusal entry,
 * `refusalMessage.ts`, as `unsupported-format`). Unknown extra fields are ignored, so v1 readers
 * accept additive changes.
 *
 * @example
 * ```ts
 * for (const [id, fields] of await redis.xrange(streamKeys(key).acks, "-", "+")) {
 *   const parsed = parseAckEntry(id, fields);
 *   if (parsed.ok) console.log(parsed.ack.instanceId, parsed.ack.name, parsed.ack.version);
 * }
 * ```
 */
export function parseAckEntry(id: string, fields: readonly string[]): ParsedAckEntry {
  const reject = (rejection: StreamEntryRejection, detail: string): ParsedAckEntry => ({
    ok: false,
    id,
    rejection,
    detail,
  });
  const read = readEntryFields(fields, ACK_FORMAT_VERSION);
  if (!read.ok) {
    // A refusal beside the acks (refusalMessage.ts) is another kind of entry, not a broken ack.
    if (isRefusalEntry(fields)) return reject("unsupported-format", "a refusal, not an acknowledgement");
    return reject(read.rejection, read.detail);
  }
  const map = read.fields;

  const identity = readInstanceFields(map, ACK_VIAS);
  if (!identity.ok) return reject("malformed", identity.detail);
  const { instanceId, name, version, via } = identity;
  const appliedAt = parseIsoTime(map.get("appliedAt"));
  if (Number.isNaN(appliedAt)) return reject("malformed", `appliedAt of ${name} is not ISO 8601`);

  const optionalTime = (field: string): number | undefined | "invalid" => {
    const text = map.get(field);
    if (text === undefined) return undefined;
    const time = parseIsoTime(text);
    return Number.isNaN(time) ? "invalid" : time;
  };
  const ack: AckMessage = { format: 1, instanceId, name, version, via, appliedAt };
  for (const field of ["modifiedAt", "changedAt", "publishedAt"] as const) {
    const time = optionalTime(field);
    if (time === "invalid") return reject("malformed", `${field} of ${name} is not ISO 8601`);
    if (time !== undefined) ack[field] = time;
  }
  const streamId = map.get("streamId");
  if (streamId !== undefined) ack.streamId = streamId;
  return { ok: true, id, ack };
}
