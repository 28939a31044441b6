import { strict as assert } from "node:assert";
import type { AppliedParameter, HeldParameterInfo } from "../../../runtime/client";
import type { ParameterType } from "../../../runtime/protocol";
import { FlagIndex } from "../../../runtime/openfeature/FlagIndex";
import type { FlagSource } from "../../../runtime/openfeature";

/** What a client holds, as the flag index reads it: `raw()` and `state().parameters`. */
function heldBy(parameters: Map<string, { type: ParameterType; version: number; raw: string }>): FlagSource {
  const held = (): HeldParameterInfo[] =>
    [...parameters].map(([key, { type, version }]) => ({
      name: `/app/env/${key}`,
      key,
      type,
      version,
      modifiedAt: version,
      appliedAt: version,
      via: "boot",
    }));
  return {
    raw: (key: string) => parameters.get(key)?.raw,
    state: () => ({ parameters: held() }),
  } as unknown as FlagSource;
}

const applied = (key: string, version: number, type: ParameterType = "String"): AppliedParameter => ({
  name: `/app/env/${key}`,
  key,
  type,
  version,
  valueChanged: true,
});

describe("the flag index", () => {
  it("reads again only the keys an applied swap names: a new version, a deletion; every other entry stays as it was", () => {
    const parameters = new Map<string, { type: ParameterType; version: number; raw: string }>([
      ["a", { type: "String", version: 1, raw: "true" }],
      ["b", { type: "String", version: 1, raw: "3" }],
      ["c", { type: "String", version: 1, raw: "x" }],
    ]);
    const source = heldBy(parameters);
    const index = new FlagIndex();
    index.rebuild(source);
    const untouched = index.get("c");

    parameters.set("a", { type: "String", version: 2, raw: "false" });
    parameters.delete("b");
    parameters.set("d", { type: "SecureString", version: 1, raw: "secret" });
    index.update(source, [applied("a", 2), applied("b", 2), applied("d", 1, "SecureString")]);

    const a = index.get("a");
    assert.deepEqual(a?.boolean.ok && [a.version, a.boolean.live.value], [2, false]);
    assert.equal(index.get("b"), undefined, "the deleted key's flag is gone");
    assert.equal(index.get("c"), untouched, "a key the swap did not name keeps its entry");
    assert.equal(index.get("d")?.string.ok, false, "a SecureString is served as no flag");
  });

  it("keeps the last of a key's changes in one swap", () => {
    const parameters = new Map([["a", { type: "String" as const, version: 3, raw: "2" }]]);
    const source = heldBy(parameters);
    const index = new FlagIndex();
    index.update(source, [applied("a", 2), applied("a", 3)]);
    const a = index.get("a");
    assert.deepEqual(a?.number.ok && [a.version, a.number.live.value], [3, 2]);
  });
});
