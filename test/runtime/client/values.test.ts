import { strict as assert } from "node:assert";
import { z } from "zod";
import { ssmBoolean, ssmInteger, ssmList } from "../../../runtime/client";
import { parseWireChange } from "../../../runtime/client/rpc";
import { validateValue } from "../../../runtime/client/schema";
import {
  applyChanges,
  commitChanges,
  ConfigRules,
  decideChanges,
  emptyState,
  snapshotOf,
  currentValue,
  type CandidateChange,
} from "../../../runtime/client/state";

describe("SSM value schemas", () => {
  it('read booleans as exactly "true" or "false"', () => {
    assert.deepEqual(
      ["true", "false"].map((v) => validateValue(ssmBoolean(), v)),
      [
        { ok: true, value: true },
        { ok: true, value: false },
      ],
    );
    for (const bad of ["True", "yes", "1", "", undefined])
      assert.equal(validateValue(ssmBoolean(), bad).ok, false, String(bad));
  });

  it("read whole numbers within bounds, refusing exponents, fractions and spaces", () => {
    const schema = ssmInteger({ min: 0, max: 100 });
    assert.deepEqual(validateValue(schema, "42"), { ok: true, value: 42 });
    for (const bad of ["101", "-1", "4e1", "4.5", " 4", "", "99999999999999999999"])
      assert.equal(validateValue(schema, bad).ok, false, bad);
  });

  it("read a StringList as its items, each checked", () => {
    assert.deepEqual(validateValue(ssmList(z.url()), "https://a.example,https://b.example"), {
      ok: true,
      value: ["https://a.example", "https://b.example"],
    });
    assert.equal(validateValue(ssmList(z.url()), "https://a.example,nope").ok, false);
    assert.equal(validateValue(ssmList(), "a,,b").ok, false);
  });
});

describe("a change received on the RPC", () => {
  const wire = {
    name: "/shop/beta/log_level",
    operation: "Update",
    version: 3,
    type: "String",
    value: "debug",
    modifiedAtMs: 1_000,
    changedAtMs: 1_001,
  };

  it("is read into a change", () => {
    assert.deepEqual(parseWireChange(wire), {
      ok: true,
      change: {
        name: "/shop/beta/log_level",
        operation: "Update",
        version: 3,
        type: "String",
        value: "debug",
        modifiedAt: 1_000,
        changedAt: 1_001,
      },
    });
  });

  it("is refused with a sentence when a field is wrong, never echoing the value", () => {
    for (const bad of [
      { ...wire, name: "log_level" },
      { ...wire, operation: "Rename" },
      { ...wire, version: -1 },
      { ...wire, value: undefined },
      { ...wire, type: "SecureString" },
      { ...wire, operation: "Delete" },
      { ...wire, modifiedAtMs: 0 },
    ]) {
      const parsed = parseWireChange(bad as typeof wire);
      assert.equal(parsed.ok, false, JSON.stringify(bad));
      assert.doesNotMatch(!parsed.ok ? parsed.detail : "", /debug/);
    }
  });
});

describe("applying a batch", () => {
  const rules = new ConfigRules("/app/env/", { level: z.enum(["a", "b", "c"]) }, false);
  const change = (
    key: string,
    version: number,
    value: string | undefined,
    operation: "Update" | "Delete" = "Update",
  ): CandidateChange => ({
    via: "stream",
    change: {
      name: `/app/env/${key}`,
      operation,
      version,
      type: "String",
      modifiedAt: version * 10,
      changedAt: 0,
      ...(value !== undefined ? { value } : {}),
    },
  });

  it("refuses a version older than a refused one, so versions only move forward", () => {
    const state = emptyState();
    applyChanges(state, [change("level", 2, "a")], rules, 1);
    applyChanges(state, [change("level", 4, "zzz")], rules, 2);
    const late = applyChanges(state, [change("level", 3, "b")], rules, 3);
    assert.deepEqual(
      late.results.map((r) => r.status === "refused" && r.reason),
      ["OLDER_VERSION"],
    );
    assert.equal(currentValue(state, "level"), "a");
    const again = applyChanges(state, [change("level", 4, "zzz")], rules, 4);
    assert.deepEqual(
      again.results.map((r) => r.status === "refused" && [r.reason, r.repeated]),
      [["VALIDATION_FAILED", true]],
    );
  });

  it("writes nothing while deciding, and only what changed when committed", () => {
    const state = emptyState();
    applyChanges(state, [change("level", 2, "a"), change("other", 1, "x")], rules, 1);
    const held = state.held.get("level");
    const duplicate = applyChanges(state, [change("level", 2, "a")], rules, 2);
    assert.deepEqual(duplicate.changes, []);
    assert.equal(state.held.get("level"), held, "the same revision leaves the entry as it was");
    const decided = decideChanges(state, [change("level", 3, "b"), change("other", 2, "y", "Delete")], rules, 3);
    assert.deepEqual({ ...snapshotOf(state) }, { level: "a", other: "x" }, "deciding writes nothing");
    assert.equal(state.held.get("level"), held);
    commitChanges(state, decided);
    assert.deepEqual({ ...snapshotOf(state) }, { level: "b" });
    assert.deepEqual([...state.tombstones.keys()], ["other"]);
    assert.deepEqual(
      decided.changes.map((c) => [c.key, c.previous, c.value, c.deleted]),
      [
        ["level", "a", "b", false],
        ["other", "x", undefined, true],
      ],
    );
  });

  it("reports one change per key for a batch that changes a key twice", () => {
    const state = emptyState();
    applyChanges(state, [change("level", 2, "a")], rules, 1);
    const twice = applyChanges(state, [change("level", 3, "b"), change("level", 4, "c")], rules, 2);
    assert.deepEqual(
      twice.changes.map((c) => [c.key, c.previous, c.value, c.version]),
      [["level", "a", "c", 4]],
    );
    const back = applyChanges(state, [change("level", 5, "b"), change("level", 6, "c")], rules, 3);
    assert.deepEqual(back.changes, [], "a round trip to the same value is no change");
    assert.equal(state.held.get("level")?.version, 6);
  });
});
