/**
 * Reading the flat field lists of Redis stream entries (`["format", "1", "name", ...]`), shared by
 * the stream message and the acknowledgement parsers so both apply the same strict rules.
 */

/** Why an entry could not be read. */
export type StreamEntryRejection =
  /** A format version this code does not know (written by a newer producer): skip it, count it. */
  | "unsupported-format"
  /** Missing or invalid fields. */
  | "malformed";

/** The fields of an entry by name, or why they cannot be read. */
export type EntryFields =
  | { ok: true; fields: ReadonlyMap<string, string> }
  | { ok: false; rejection: StreamEntryRejection; detail: string };

/**
 * Reads a flat field list into a map (the first occurrence of a name wins) and checks its format
 * field (`format`, or `formatField` for another kind of entry) against `formatVersion`. Never throws.
 */
export function readEntryFields(fields: readonly string[], formatVersion: number, formatField = "format"): EntryFields {
  const malformed = (detail: string): EntryFields => ({ ok: false, rejection: "malformed", detail });
  if (!Array.isArray(fields) || fields.length % 2 !== 0) return malformed("the field list is not name/value pairs");
  const map = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    const key = fields[i];
    const value = fields[i + 1];
    if (typeof key !== "string" || typeof value !== "string") return malformed("a field is not text");
    if (!map.has(key)) map.set(key, value);
  }
  const format = map.get(formatField);
  if (format === undefined) return malformed(`no ${formatField} field`);
  if (format !== String(formatVersion)) {
    return {
      ok: false,
      rejection: "unsupported-format",
      detail: `format ${format.slice(0, 20)} is not ${formatVersion}`,
    };
  }
  return { ok: true, fields: map };
}

/**
 * The fields every acks-stream entry starts with (an acknowledgement's and a refusal's): the
 * instance, the full SSM name and the version, and its `via` (one of `vias`); or what is wrong.
 */
export function readInstanceFields<Via extends string>(
  map: ReadonlyMap<string, string>,
  vias: readonly Via[],
): { ok: true; instanceId: string; name: string; version: number; via: Via } | { ok: false; detail: string } {
  const instanceId = map.get("instance");
  if (!instanceId) return { ok: false, detail: "no instance" };
  const name = map.get("name");
  if (!name?.startsWith("/")) return { ok: false, detail: "name must be a full SSM name" };
  const version = parseWholeNumber(map.get("version"));
  if (version === undefined) return { ok: false, detail: `version of ${name} is not a whole number` };
  const via = map.get("via") as Via | undefined;
  if (!via || !vias.includes(via)) return { ok: false, detail: `unknown via for ${name}` };
  return { ok: true, instanceId, name, version, via };
}

/**
 * A non-negative whole number written in decimal digits only (`"7"`, not `" 7 "`, `"0x10"` or `"1e3"`),
 * else undefined.
 */
export function parseWholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** ISO 8601 date-time with an explicit zone (`Z` or `±hh:mm`), fractional seconds optional. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO 8601 time, NaN for anything else (`Date.parse` alone also accepts "2026" or "Nov 25 2026"). */
export function parseIsoTime(text: string | undefined): number {
  return text !== undefined && ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
}
