import { strict as assert } from "node:assert";
import { buildAckFields, parseAckEntry, type AckMessage } from "../../../runtime/protocol";

describe("the acknowledgement message", () => {
  const ack: AckMessage = {
    format: 1,
    instanceId: "i-0a1b",
    name: "/shop/beta/log_level",
    version: 7,
    via: "stream",
    appliedAt: Date.parse("2026-11-25T12:00:00.250Z"),
    modifiedAt: Date.parse("2026-11-25T12:00:00.100Z"),
    changedAt: Date.parse("2026-11-25T12:00:00.120Z"),
    publishedAt: Date.parse("2026-11-25T12:00:00.200Z"),
    streamId: "1795609493407-0",
  };

  it("reads back what it writes, as flat strings any Redis client can read", () => {
    const { format: _format, ...input } = ack;
    const fields = buildAckFields(input);
    assert.ok(fields.every((f) => typeof f === "string"));
    assert.equal(fields[fields.indexOf("appliedAt") + 1], "2026-11-25T12:00:00.250Z");
    assert.deepEqual(parseAckEntry("1-0", fields), { ok: true, id: "1-0", ack });
  });

  it("leaves out the times it does not know", () => {
    const parsed = parseAckEntry(
      "1-0",
      buildAckFields({ instanceId: "i-1", name: "/a/b", version: 1, via: "boot", appliedAt: 1 }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(Object.keys(parsed.ack).sort(), ["appliedAt", "format", "instanceId", "name", "version", "via"]);
  });

  it("rejects unknown formats and bad fields without throwing, and ignores extra fields", () => {
    const base = buildAckFields({ instanceId: "i-1", name: "/a/b", version: 1, via: "rpc", appliedAt: 1 });
    const set = (field: string, value: string) => base.map((v, i) => (i > 0 && base[i - 1] === field ? value : v));
    const newer = parseAckEntry("1", set("format", "2"));
    assert.equal(!newer.ok && newer.rejection, "unsupported-format");
    for (const bad of [
      set("via", "carrier-pigeon"),
      set("version", "7.5"),
      set("name", "a/b"),
      set("appliedAt", "yesterday"),
      ["format", "1", "odd"],
      [],
    ]) {
      const parsed = parseAckEntry("1", bad);
      assert.equal(parsed.ok, false, JSON.stringify(bad));
      assert.equal(!parsed.ok && parsed.rejection, "malformed");
    }
    assert.ok(parseAckEntry("1", [...base, "region", "eu-west-1"]).ok);
  });
});
