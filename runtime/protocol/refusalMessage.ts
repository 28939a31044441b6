import type { AckVia } from "./ackMessage";
import { ACK_VIAS } from "./ackMessage";
import { parseIsoTime, readEntryFields, readInstanceFields, type StreamEntryRejection } from "./entryFields";
import type { NackReason } from "./refreshService";

/** The refusal format this code writes and reads (its own field, `refusal`, in place of an ack's `format`). */
export const REFUSAL_FORMAT_VERSION = 1;

/** The refusals an instance records: its verdict on the value itself, not on its delivery. */
export type RefusalReason = Extract<NackReason, "VALIDATION_FAILED" | "UNKNOWN_NAME">;

/** Every {@link RefusalReason}, for validation. */
export const REFUSAL_REASONS: readonly RefusalReason[] = ["VALIDATION_FAILED", "UNKNOWN_NAME"];

/**
 * What one instance refused: an entry of the acks stream beside the acknowledgements, written by
 * the client library once per (instance, name, version) its schema refused. With the acks it tells
 * what the fleet did with each version (`config-refresh history`). It carries `refusal 1` instead of
 * `format 1`, so a reader of acknowledgements never counts it as one (it has no `format` field).
 *
 * On the wire: `refusal 1 instance <id> name <full SSM name> version <n> reason
 * <VALIDATION_FAILED|UNKNOWN_NAME> detail <sentence, never a value> via <stream|rpc|reload|boot>
 * refusedAt <iso>`, then `modifiedAt` when known.
 *
 * @example
 * ```ts
 * await redis.xadd(streamKeys(key).acks, "MAXLEN", "~", 10000, "*", ...buildRefusalFields(refusal));
 * ```
 */
export interface RefusalMessage {
  /** Format version of the refusal. */
  format: 1;
  instanceId: string;
  /** Full SSM name. */
  name: string;
  /** The SSM version refused. */
  version: number;
  reason: RefusalReason;
  /** The schema's sentence (never a value). */
  detail: string;
  via: AckVia;
  /** When the instance refused it, epoch ms. */
  refusedAt: number;
  /** SSM's LastModifiedDate of the version refused, epoch ms, when known. */
  modifiedAt?: number;
}

/** Longest detail written (a schema's sentence; SSM's description limit). */
const MAX_DETAIL_LENGTH = 1024;

/** The result of {@link parseRefusalEntry}. */
export type ParsedRefusalEntry =
  | { ok: true; id: string; refusal: RefusalMessage }
  | { ok: false; id: string; rejection: StreamEntryRejection; detail: string };

/** The XADD field list of a refusal (`["refusal", "1", "instance", "i-0a1b", ...]`). */
export function buildRefusalFields(refusal: Omit<RefusalMessage, "format">): string[] {
  const fields = [
    "refusal",
    String(REFUSAL_FORMAT_VERSION),
    "instance",
    refusal.instanceId,
    "name",
    refusal.name,
    "version",
    String(refusal.version),
    "reason",
    refusal.reason,
    "detail",
    refusal.detail.slice(0, MAX_DETAIL_LENGTH),
    "via",
    refusal.via,
    "refusedAt",
    new Date(refusal.refusedAt).toISOString(),
  ];
  if (refusal.modifiedAt !== undefined) fields.push("modifiedAt", new Date(refusal.modifiedAt).toISOString());
  return fields;
}

/** True when an acks-stream entry is a refusal (it has a `refusal` field), whatever its version. */
export function isRefusalEntry(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === "refusal") return true;
  return false;
}

/**
 * Reads one refusal entry of the acks stream. Never throws: another version or bad fields come back
 * as a rejection; unknown extra fields are ignored.
 */
export function parseRefusalEntry(id: string, fields: readonly string[]): ParsedRefusalEntry {
  const reject = (rejection: StreamEntryRejection, detail: string): ParsedRefusalEntry => ({
    ok: false,
    id,
    rejection,
    detail,
  });
  const read = readEntryFields(fields, REFUSAL_FORMAT_VERSION, "refusal");
  if (!read.ok) return reject(read.rejection, read.detail);
  const map = read.fields;
  const identity = readInstanceFields(map, ACK_VIAS);
  if (!identity.ok) return reject("malformed", identity.detail);
  const { instanceId, name, version, via } = identity;
  const reason = map.get("reason") as RefusalReason | undefined;
  if (!reason || !REFUSAL_REASONS.includes(reason)) return reject("malformed", `unknown reason for ${name}`);
  const refusedAt = parseIsoTime(map.get("refusedAt"));
  if (Number.isNaN(refusedAt)) return reject("malformed", `refusedAt of ${name} is not ISO 8601`);
  const refusal: RefusalMessage = {
    format: 1,
    instanceId,
    name,
    version,
    reason,
    detail: map.get("detail") ?? "",
    via,
    refusedAt,
  };
  const modified = map.get("modifiedAt");
  if (modified !== undefined) {
    const modifiedAt = parseIsoTime(modified);
    if (Number.isNaN(modifiedAt)) return reject("malformed", `modifiedAt of ${name} is not ISO 8601`);
    refusal.modifiedAt = modifiedAt;
  }
  return { ok: true, id, refusal };
}
