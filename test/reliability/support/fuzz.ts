/**
 * Seeded generators of hostile input for the client: stream entries and `Refresh` changes, each
 * broken in one known way (so the suite knows how it must be counted), padded with random
 * unknown fields and sizes.
 */
import { buildStreamFields, type StreamMessage, type WireParameterChange } from "../../../runtime/protocol";
import type { Draw } from "./seed";

/** How a client must count a fuzzed stream entry. */
export type StreamVerdict =
  /** `format` present and not "1": skipped, `unsupportedFormat`. */
  | "unsupported"
  /** Format 1 with a broken field: skipped, `malformed`. */
  | "malformed"
  /** A well-formed entry the client refuses (outside its path, fails its schema): `rejected`. */
  | "refused";

/** A fuzzed stream entry: its fields, how it must be counted, and what was done to it. */
export interface FuzzedEntry {
  fields: string[];
  verdict: StreamVerdict;
  mutation: string;
}

const TIME_MUTATIONS = [
  "2026-11-25",
  "yesterday",
  "2026-11-25T12:00:00",
  "",
  "1795610602294",
  "2026-13-45T99:99:99Z",
  "２０２６-11-25T12:00:00Z",
];
const VERSION_MUTATIONS = ["-1", "1.5", "1e3", " 7", "0x10", "", "99999999999999999", "abc", "٣"];
const FORMAT_MUTATIONS = ["2", "0", "", "1.0", "01", " 1", "v1", "１"];

/**
 * One fuzzed entry built from `base` (a valid message for `name`): a random mutation of a known
 * class, plus random extra fields (ignored by readers) before or after it.
 */
export function fuzzStreamEntry(
  draw: Draw,
  base: Omit<StreamMessage, "format">,
  refusable: { outsidePrefix: string; invalidValueFor: string },
): FuzzedEntry {
  const valid = buildStreamFields(base);
  const set = (fields: string[], name: string, value: string): string[] => {
    const copy = [...fields];
    const at = copy.findIndex((field, i) => i % 2 === 0 && field === name);
    if (at >= 0) copy[at + 1] = value;
    else copy.push(name, value);
    return copy;
  };
  const drop = (fields: string[], name: string): string[] => {
    const copy: string[] = [];
    for (let i = 0; i < fields.length; i += 2)
      if (fields[i] !== name) copy.push(fields[i] as string, fields[i + 1] as string);
    return copy;
  };
  const cases: (() => FuzzedEntry)[] = [
    () => ({
      fields: set(valid, "format", draw.pick([...FORMAT_MUTATIONS, draw.text(draw.int(1, 10_000))])),
      verdict: "unsupported",
      mutation: "format",
    }),
    () => ({ fields: drop(valid, "format"), verdict: "malformed", mutation: "no format" }),
    () => {
      const field = draw.pick(["name", "operation", "version", "type", "modifiedAt", "changedAt", "publishedAt"]);
      return { fields: drop(valid, field), verdict: "malformed", mutation: `no ${field}` };
    },
    () => ({
      fields: set(
        valid,
        "name",
        draw.pick(["", "shop/beta/x", `/${"n".repeat(1011)}`, `x${draw.text(draw.int(0, 40))}`]),
      ),
      verdict: "malformed",
      mutation: "name",
    }),
    () => ({
      fields: set(valid, "operation", draw.pick(["update", "", "Put", "DELETE", draw.text(draw.int(1, 300))])),
      verdict: "malformed",
      mutation: "operation",
    }),
    () => ({
      fields: set(valid, "type", draw.pick(["string", "", "SecureString ", "Integer", draw.text(draw.int(1, 300))])),
      verdict: "malformed",
      mutation: "type",
    }),
    () => ({ fields: set(valid, "version", draw.pick(VERSION_MUTATIONS)), verdict: "malformed", mutation: "version" }),
    () => ({
      fields: set(valid, draw.pick(["modifiedAt", "changedAt", "publishedAt"]), draw.pick(TIME_MUTATIONS)),
      verdict: "malformed",
      mutation: "time",
    }),
    () => ({ fields: drop(valid, "value"), verdict: "malformed", mutation: "String without value" }),
    () => ({ fields: set(valid, "value", ""), verdict: "malformed", mutation: "empty value" }),
    () => ({
      fields: set(valid, "value", "x".repeat(8193 + draw.int(0, 60_000))),
      verdict: "malformed",
      mutation: "value over 8192 bytes",
    }),
    () => ({
      fields: set(set(valid, "type", "SecureString"), "value", draw.text(draw.int(1, 50))),
      verdict: "malformed",
      mutation: "SecureString with a value",
    }),
    () => ({
      fields: set(set(valid, "operation", "Delete"), "value", draw.text(draw.int(1, 50))),
      verdict: "malformed",
      mutation: "Delete with a value",
    }),
    // The first of two fields of one name wins: a bad one first, a good one after, is still bad.
    () => {
      const at = valid.indexOf("version");
      const fields = [...valid.slice(0, at), "version", "v2", ...valid.slice(at)];
      return { fields, verdict: "malformed", mutation: "bad duplicate field first" };
    },
    () => ({ fields: set(valid, "name", refusable.outsidePrefix), verdict: "refused", mutation: "outside the prefix" }),
    () => ({
      fields: set(
        set(valid, "name", refusable.invalidValueFor),
        "value",
        draw.pick(["verbose", "TRACE", "1000", draw.text(draw.int(1, 64))]).replace(/^$/, "x"),
      ),
      verdict: "refused",
      mutation: "fails the schema",
    }),
  ];
  const entry = draw.pick(cases)();
  // Unknown fields (readers ignore them), random names and sizes, never one of the protocol's.
  const known = new Set([
    "format",
    "name",
    "operation",
    "version",
    "type",
    "value",
    "modifiedAt",
    "changedAt",
    "publishedAt",
    "eventId",
  ]);
  const extra: string[] = [];
  for (let i = draw.int(0, 4); i > 0; i--) {
    const name = `x-${draw.text(draw.int(1, 12), "abcdefghijklmnopqrstuvwxyz0123456789-")}`;
    if (!known.has(name)) extra.push(name, draw.text(draw.int(0, draw.chance(0.1) ? 20_000 : 40)));
  }
  return { ...entry, fields: draw.chance(0.5) ? [...entry.fields, ...extra] : [...extra, ...entry.fields] };
}

/** How an instance must answer a fuzzed `Refresh` change. */
export type WireVerdict = "MALFORMED" | "OUTSIDE_PREFIX" | "VALIDATION_FAILED" | "NOT_PUBLISHED" | "ACK";

/** A fuzzed change of a `Refresh` call and the answer it must get. */
export interface FuzzedChange {
  change: WireParameterChange;
  expect: WireVerdict;
  mutation: string;
}

/** Largest epoch ms a JavaScript Date holds (year 275760). */
const MAX_DATE_MS = 8.64e15;

/**
 * One fuzzed `Refresh` change from `base` (valid, for a key the instance holds raw): broken in one
 * known way, or (sometimes) left valid under a fresh name so the call also carries good changes.
 */
export function fuzzWireChange(
  draw: Draw,
  base: WireParameterChange,
  refusable: { outsidePrefix: string; invalidValueFor: string; freshName: () => string },
): FuzzedChange {
  const cases: (() => FuzzedChange)[] = [
    () => ({
      change: { ...base, name: draw.pick(["", "no/slash", `/${"n".repeat(1011)}`]) },
      expect: "MALFORMED",
      mutation: "name",
    }),
    () => ({
      change: { ...base, operation: draw.pick(["", "update", "Put", draw.text(draw.int(1, 200))]) },
      expect: "MALFORMED",
      mutation: "operation",
    }),
    () => ({
      change: { ...base, type: draw.pick(["", "string", "Integer", draw.text(draw.int(1, 200))]) },
      expect: "MALFORMED",
      mutation: "type",
    }),
    () => ({
      change: { ...base, version: draw.pick([-1, -(2 ** 40), 2 ** 53 + 2, Number.MAX_SAFE_INTEGER + 1, 2 ** 62]) },
      expect: "MALFORMED",
      mutation: "version out of range",
    }),
    () => ({
      change: { ...base, modifiedAtMs: draw.pick([0, -5, MAX_DATE_MS + 1, Number.MAX_SAFE_INTEGER, 2 ** 62]) },
      expect: "MALFORMED",
      mutation: "modifiedAtMs out of range",
    }),
    () => ({
      change: { ...base, changedAtMs: draw.pick([-1, MAX_DATE_MS + 1, Number.MAX_SAFE_INTEGER, 2 ** 62]) },
      expect: "MALFORMED",
      mutation: "changedAtMs out of range",
    }),
    () => {
      const { value: _dropped, ...rest } = base;
      return { change: rest, expect: "MALFORMED", mutation: "String without value" };
    },
    () => ({
      change: { ...base, value: "x".repeat(8193 + draw.int(0, 20_000)) },
      expect: "MALFORMED",
      mutation: "value over 8192 bytes",
    }),
    () => ({
      change: { ...base, type: "SecureString", value: draw.text(draw.int(1, 40)).replace(/^$/, "x") },
      expect: "MALFORMED",
      mutation: "SecureString with a value",
    }),
    () => ({
      change: { ...base, operation: "Delete", value: draw.text(draw.int(1, 40)).replace(/^$/, "x") },
      expect: "MALFORMED",
      mutation: "Delete with a value",
    }),
    () => ({
      change: { ...base, name: refusable.outsidePrefix },
      expect: "OUTSIDE_PREFIX",
      mutation: "outside the prefix",
    }),
    () => ({
      change: {
        ...base,
        name: refusable.invalidValueFor,
        value: draw.pick(["verbose", "TRACE", draw.text(draw.int(1, 30)).replace(/^$/, "x")]),
      },
      expect: "NOT_PUBLISHED",
      mutation: "fails the schema",
    }),
    () => ({
      change: {
        ...base,
        name: refusable.freshName(),
        value: draw.text(draw.int(1, 2_048), "abcdefghijklmnopqrstuvwxyz0123456789 ,.:/-"),
      },
      expect: "NOT_PUBLISHED",
      mutation: "valid",
    }),
  ];
  return draw.pick(cases)();
}

/** Random bytes: not a protobuf message the server can read. */
export function garbage(draw: Draw, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = draw.int(0, 255);
  return bytes;
}
