import { parseIsoTime, parseWholeNumber, readEntryFields, type StreamEntryRejection } from "./entryFields";
import {
  CHANGE_OPERATIONS,
  PARAMETER_TYPES,
  type ChangeOperation,
  type ParameterType,
  type StreamMessage,
} from "./types";

/** The stream message format this code writes and reads. */
export const STREAM_FORMAT_VERSION = 1;
/** Largest value a message may carry, in UTF-8 bytes (an Advanced parameter's limit). */
export const MAX_MESSAGE_VALUE_BYTES = 8192;
/** Longest parameter name a message may carry (SSM's limit). */
export const MAX_MESSAGE_NAME_LENGTH = 1011;

export type { StreamEntryRejection } from "./entryFields";

/** The result of {@link parseStreamEntry}: a message, or why the entry was skipped. */
export type ParsedStreamEntry =
  | { ok: true; id: string; message: StreamMessage }
  | { ok: false; id: string; rejection: StreamEntryRejection; detail: string };

/**
 * The XADD field list of a message (`["format", "1", "name", "/shop/beta/log_level", ...]`):
 * flat strings, times as ISO 8601 with milliseconds, readable with `redis-cli XRANGE` and any
 * Redis client. `value` is absent for SecureString and Delete.
 *
 * @throws TypeError when given a value for a SecureString or a Delete (it must never reach the stream).
 */
export function buildStreamFields(message: Omit<StreamMessage, "format">): string[] {
  if (message.value !== undefined && (message.type === "SecureString" || message.operation === "Delete")) {
    // Refuse rather than drop: a SecureString value reaching this point is a bug that must surface,
    // never a stream entry.
    throw new TypeError(
      `${message.name}: a ${message.operation === "Delete" ? "Delete" : "SecureString"} message never carries a value`,
    );
  }
  const fields = [
    "format",
    String(STREAM_FORMAT_VERSION),
    "name",
    message.name,
    "operation",
    message.operation,
    "version",
    String(message.version),
    "type",
    message.type,
  ];
  if (message.value !== undefined) fields.push("value", message.value);
  fields.push(
    "modifiedAt",
    new Date(message.modifiedAt).toISOString(),
    "changedAt",
    new Date(message.changedAt).toISOString(),
    "publishedAt",
    new Date(message.publishedAt).toISOString(),
  );
  if (message.eventId !== undefined) fields.push("eventId", message.eventId);
  return fields;
}

/**
 * Reads one stream entry (as ioredis returns it: id and flat field list). Never throws: an entry
 * of an unknown format version or with bad fields comes back as a rejection to count and skip.
 * Unknown extra fields are ignored, so v1 readers accept additive changes.
 */
export function parseStreamEntry(id: string, fields: readonly string[]): ParsedStreamEntry {
  const reject = (rejection: StreamEntryRejection, detail: string): ParsedStreamEntry => ({
    ok: false,
    id,
    rejection,
    detail,
  });
  const read = readEntryFields(fields, STREAM_FORMAT_VERSION);
  if (!read.ok) return reject(read.rejection, read.detail);
  const map = read.fields;
  const name = map.get("name");
  if (!name?.startsWith("/") || name.length > MAX_MESSAGE_NAME_LENGTH)
    return reject("malformed", "name must be a full SSM name");
  const operation = map.get("operation") as ChangeOperation | undefined;
  if (!operation || !CHANGE_OPERATIONS.includes(operation)) return reject("malformed", `unknown operation for ${name}`);
  const type = map.get("type") as ParameterType | undefined;
  if (!type || !PARAMETER_TYPES.includes(type)) return reject("malformed", `unknown type for ${name}`);
  const version = parseWholeNumber(map.get("version"));
  if (version === undefined) return reject("malformed", `version of ${name} is not a whole number`);
  const modifiedAt = parseIsoTime(map.get("modifiedAt"));
  const changedAt = parseIsoTime(map.get("changedAt"));
  const publishedAt = parseIsoTime(map.get("publishedAt"));
  if (Number.isNaN(modifiedAt) || Number.isNaN(changedAt) || Number.isNaN(publishedAt))
    return reject("malformed", `a time of ${name} is not ISO 8601`);
  const value = map.get("value");
  if (operation === "Delete" || type === "SecureString") {
    if (value !== undefined)
      return reject(
        "malformed",
        `${name}: a ${operation === "Delete" ? "Delete" : "SecureString"} entry never carries a value`,
      );
  } else {
    if (value === undefined || value === "")
      return reject("malformed", `${name}: a ${type} entry must carry its value`);
    if (Buffer.byteLength(value, "utf8") > MAX_MESSAGE_VALUE_BYTES)
      return reject("malformed", `${name}: value over ${MAX_MESSAGE_VALUE_BYTES} bytes`);
  }
  const eventId = map.get("eventId");
  const previousId = map.get("previousId");
  if (previousId !== undefined && !/^\d+-\d+$/.test(previousId))
    return reject("malformed", `${name}: previousId is not a stream id`);
  const message: StreamMessage = {
    format: 1,
    name,
    operation,
    version,
    type,
    modifiedAt,
    changedAt,
    publishedAt,
    ...(value !== undefined ? { value } : {}),
    ...(eventId !== undefined ? { eventId } : {}),
    ...(previousId !== undefined ? { previousId } : {}),
  };
  return { ok: true, id, message };
}
