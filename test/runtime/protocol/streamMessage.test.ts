import { strict as assert } from "node:assert";
import {
  MAX_MESSAGE_NAME_LENGTH,
  MAX_MESSAGE_VALUE_BYTES,
  buildStreamFields,
  parseStreamEntry,
  type StreamMessage,
} from "../../../runtime/protocol";

const T = Date.parse("2026-11-25T12:00:00.120Z");

function message(overrides: Partial<StreamMessage> = {}): Omit<StreamMessage, "format"> {
  return {
    name: "/shop/beta/log_level",
    operation: "Update",
    version: 7,
    type: "String",
    value: "debug",
    modifiedAt: T,
    changedAt: T - 120,
    publishedAt: T + 300,
    eventId: "e-1",
    ...overrides,
  };
}

/** The fields of `message` with `field` set to `value` (or removed when undefined). */
function withField(field: string, value: string | undefined, base = buildStreamFields(message())): string[] {
  const fields = [...base];
  const at = fields.indexOf(field);
  if (at === -1 && value !== undefined) return [...fields, field, value];
  if (value === undefined) fields.splice(at, 2);
  else fields[at + 1] = value;
  return fields;
}

function rejection(fields: readonly string[]): { rejection: string; detail: string } {
  const parsed = parseStreamEntry("1-0", fields);
  assert.equal(parsed.ok, false, `expected a rejection for ${JSON.stringify(fields)}`);
  return parsed.ok ? { rejection: "", detail: "" } : { rejection: parsed.rejection, detail: parsed.detail };
}

describe("stream message v1", () => {
  describe("building and parsing round trip", () => {
    const cases: [string, Omit<StreamMessage, "format">][] = [
      ["a String update with its value and event id", message()],
      ["a StringList with its comma-joined value", message({ type: "StringList", value: "a,b,c" })],
      ["a SecureString without a value", message({ type: "SecureString", value: undefined })],
      [
        "a Delete without a value, version 0 (never published before)",
        message({ operation: "Delete", version: 0, value: undefined }),
      ],
      ["a label move", message({ operation: "LabelParameterVersion" })],
      ["a message without an event id", message({ eventId: undefined })],
      ["a value of exactly 8192 bytes of multi-byte text", message({ value: "é".repeat(MAX_MESSAGE_VALUE_BYTES / 2) })],
    ];
    for (const [what, original] of cases) {
      it(`gives back ${what} exactly`, () => {
        const parsed = parseStreamEntry("1764072000420-0", buildStreamFields(original));
        assert.ok(parsed.ok);
        const expected = Object.fromEntries(
          Object.entries({ format: 1, ...original }).filter(([, v]) => v !== undefined),
        );
        assert.deepEqual(parsed.message, expected);
        assert.equal(parsed.id, "1764072000420-0");
      });
    }

    it("writes flat text fields, times as ISO 8601 UTC with milliseconds, in a fixed order", () => {
      assert.deepEqual(buildStreamFields(message()), [
        "format",
        "1",
        "name",
        "/shop/beta/log_level",
        "operation",
        "Update",
        "version",
        "7",
        "type",
        "String",
        "value",
        "debug",
        "modifiedAt",
        "2026-11-25T12:00:00.120Z",
        "changedAt",
        "2026-11-25T12:00:00.000Z",
        "publishedAt",
        "2026-11-25T12:00:00.420Z",
        "eventId",
        "e-1",
      ]);
    });

    it("refuses to build a SecureString or a Delete carrying a value", () => {
      assert.throws(
        () => buildStreamFields(message({ type: "SecureString", value: "secret" })),
        /never carries a value/,
      );
      assert.throws(() => buildStreamFields(message({ operation: "Delete" })), /never carries a value/);
    });

    it("accepts what another writer may send: extra fields, times without milliseconds or with an offset", () => {
      let fields = withField("future_field", "x");
      fields = withField("modifiedAt", "2026-11-25T12:00:00Z", fields);
      fields = withField("changedAt", "2026-11-25T13:00:00+01:00", fields);
      const parsed = parseStreamEntry("1-0", fields);
      assert.ok(parsed.ok);
      assert.equal(parsed.message.modifiedAt, Date.parse("2026-11-25T12:00:00Z"));
      assert.equal(parsed.message.changedAt, Date.parse("2026-11-25T12:00:00Z"));
      assert.ok(!("future_field" in parsed.message));
    });

    it("keeps the first of two fields of the same name", () => {
      const parsed = parseStreamEntry("1-0", [...buildStreamFields(message()), "value", "second"]);
      assert.ok(parsed.ok);
      assert.equal(parsed.message.value, "debug");
    });
  });

  describe("rejections (never a throw)", () => {
    it("skips an unknown format version as unsupported-format, to be counted", () => {
      assert.equal(rejection(withField("format", "2")).rejection, "unsupported-format");
    });

    const malformed: [string, string[]][] = [
      ["an odd number of strings", [...buildStreamFields(message()), "dangling"]],
      ["no format field", withField("format", undefined)],
      ["no name", withField("name", undefined)],
      ["a name that is not a full path", withField("name", "log_level")],
      ["a name longer than SSM allows", withField("name", `/${"a".repeat(MAX_MESSAGE_NAME_LENGTH)}`)],
      ["an unknown operation", withField("operation", "Rename")],
      ["an unknown type", withField("type", "Json")],
      ["no version", withField("version", undefined)],
      ["an empty version", withField("version", "")],
      ["a negative version", withField("version", "-1")],
      ["a fractional version", withField("version", "1.5")],
      ["a hexadecimal version", withField("version", "0x10")],
      ["a version with spaces", withField("version", " 7 ")],
      ["a modifiedAt that is not ISO 8601", withField("modifiedAt", "Nov 25 2026")],
      ["a changedAt that is only a year", withField("changedAt", "2026")],
      ["a publishedAt in epoch ms", withField("publishedAt", String(T))],
      ["a missing publishedAt", withField("publishedAt", undefined)],
      ["a Delete with a value", withField("operation", "Delete")],
      ["a SecureString with a value", withField("type", "SecureString")],
      ["a String without a value", withField("value", undefined)],
      ["a String with an empty value", withField("value", "")],
      ["a value over 8192 bytes", withField("value", "é".repeat(MAX_MESSAGE_VALUE_BYTES / 2 + 1))],
      ["a previousId that is not a stream id", withField("previousId", "yesterday")],
    ];
    for (const [what, fields] of malformed) {
      it(`rejects ${what} as malformed, with a reason`, () => {
        const { rejection: kind, detail } = rejection(fields);
        assert.equal(kind, "malformed");
        assert.ok(detail.length > 0);
      });
    }

    it("rejects a field list that is not text", () => {
      assert.equal(rejection(["format", 1 as unknown as string]).rejection, "malformed");
      assert.equal(rejection("format 1" as unknown as string[]).rejection, "malformed");
    });

    it("never puts the value in the reason", () => {
      const { detail } = rejection(
        withField("type", "SecureString", buildStreamFields(message({ value: "hunter2-secret" }))),
      );
      assert.ok(!detail.includes("hunter2-secret"));
    });
  });
});
