import { strict as assert } from "node:assert";
import { buildRefusalFields, isRefusalEntry, parseAckEntry, parseRefusalEntry } from "../../../runtime/protocol";

describe("the refusal entry of the acks stream", () => {
  const refusal = {
    instanceId: "i-0a1b",
    name: "/shop/beta/log_level",
    version: 8,
    reason: "VALIDATION_FAILED" as const,
    detail: "log_level: Invalid option",
    via: "rpc" as const,
    refusedAt: Date.parse("2026-11-25T12:01:00.010Z"),
    modifiedAt: Date.parse("2026-11-25T12:00:59.900Z"),
  };

  it("reads back what it writes, as flat strings any Redis client can read", () => {
    const fields = buildRefusalFields(refusal);
    assert.deepEqual(fields.slice(0, 2), ["refusal", "1"]);
    assert.ok(!fields.includes("format"), "no format field: a reader of acks never takes it for one");
    assert.ok(isRefusalEntry(fields));
    assert.deepEqual(parseRefusalEntry("1-0", fields), { ok: true, id: "1-0", refusal: { format: 1, ...refusal } });
  });

  it("is answered unsupported-format by the ack parser, and rejects bad fields without throwing", () => {
    const fields = buildRefusalFields(refusal);
    const asAck = parseAckEntry("1-0", fields);
    assert.deepEqual(asAck.ok === false && [asAck.rejection, asAck.detail], [
      "unsupported-format",
      "a refusal, not an acknowledgement",
    ]);
    const set = (field: string, value: string) => fields.map((v, i) => (i > 0 && fields[i - 1] === field ? value : v));
    const newer = parseRefusalEntry("1", set("refusal", "2"));
    assert.equal(!newer.ok && newer.rejection, "unsupported-format");
    for (const bad of [
      set("reason", "OLDER_VERSION"),
      set("version", "x"),
      set("refusedAt", "now"),
      set("via", "fax"),
    ]) {
      const parsed = parseRefusalEntry("1", bad);
      assert.equal(!parsed.ok && parsed.rejection, "malformed", JSON.stringify(bad));
    }
  });
});
