import { strict as assert } from "node:assert";
import { z } from "zod";
import type { ParameterChange } from "../../../runtime/protocol";
import type { LoadedParameter } from "../../../runtime/client/ssm/loadParameters";
import { ConfigRules } from "../../../runtime/client/state/configRules";
import { ConfigStore } from "../../../runtime/client/state/ConfigStore";

const PATH = "/app/env/";
const loaded = (key: string, version: number, value: string): LoadedParameter => ({
  name: PATH + key,
  type: "String",
  value,
  version,
  modifiedAt: version * 10,
});
const change = (key: string, version: number, extra: Partial<ParameterChange> = {}): ParameterChange => ({
  name: PATH + key,
  operation: "Update",
  version,
  type: "String",
  modifiedAt: version * 10,
  changedAt: 0,
  ...extra,
});
const store = (): ConfigStore => new ConfigStore(new ConfigRules(PATH, { level: z.enum(["a", "b"]) }, false));
const boot = (subject: ConfigStore, parameters: readonly LoadedParameter[], now: number): void => {
  const loader = subject.bootLoader(now);
  for (const parameter of parameters) loader.add(parameter);
  subject.boot(loader);
};

describe("the configuration store", () => {
  it("asks for a SecureString value only when the change may win", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a"), loaded("secret", 2, "s")], 1);
    const secure = (key: string, version: number): ParameterChange => change(key, version, { type: "SecureString" });
    assert.equal(subject.needsValue(secure("secret", 3)), true, "newer than what is held");
    assert.equal(subject.needsValue(secure("secret", 2)), false, "the revision already held");
    assert.equal(subject.needsValue(secure("secret", 1)), false, "older than what is held");
    assert.equal(subject.needsValue(change("secret", 3, { value: "t" })), false, "it carries its value");
    assert.equal(subject.needsValue(change("secret", 3, { operation: "Delete" })), false, "a deletion has no value");
    assert.equal(subject.needsValue({ ...secure("secret", 3), name: "/other/secret" }), false, "outside the path");
  });

  it("sorts a batch into applied, already held, stale and refused, a refusal reported once", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a")], 1);
    const offer = (version: number, value: string) => ({
      change: change("level", version, { value }),
      via: "stream" as const,
    });
    const first = subject.apply([offer(2, "a"), offer(1, "b"), offer(3, "zzz")], 2);
    assert.deepEqual([first.applied.length, first.alreadyHeld, first.stale, first.refused.length], [0, 1, 1, 1]);
    const again = subject.apply([offer(3, "zzz"), offer(4, "b")], 3);
    assert.deepEqual(
      [again.applied.length, again.refused.length],
      [1, 0],
      "the repeated refusal is not reported again",
    );
    assert.equal(subject.value("level"), "b");
    assert.deepEqual(
      again.changes.map((c) => [c.key, c.previous, c.value]),
      [["level", "a", "b"]],
    );
  });

  it("deletes on reload a key the load lacks, unless it changed after the load began", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a"), loaded("gone", 2, "x"), loaded("late", 2, "y")], 1);
    subject.apply([{ change: change("late", 3, { value: "z", modifiedAt: 1_000 }), via: "stream" }], 2);
    const outcome = subject.reload([loaded("level", 2, "a")], 500, 3);
    assert.deepEqual(
      outcome.applied.map((r) => [r.candidate.change.name, r.candidate.change.operation]),
      [[`${PATH}gone`, "Delete"]],
    );
    assert.deepEqual(Object.keys(subject.snapshot()).sort(), ["late", "level"]);
    const lateCopy = subject.apply([{ change: change("gone", 2, { value: "x" }), via: "stream" }], 4);
    assert.equal(lateCopy.stale, 1, "the tombstone stops a late copy of the deleted revision");
  });

  it("makes SSM the truth on reload: a revision held before the load yields to SSM's, even one that looks newer", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a")], 1);
    subject.apply([{ change: change("level", 9, { value: "b" }), via: "stream" }], 2);
    const outcome = subject.reload([loaded("level", 2, "a")], 500, 600);
    assert.deepEqual(
      outcome.applied.map((r) => r.version),
      [2],
    );
    assert.equal(subject.value("level"), "a");
    assert.equal(subject.heldParameters()[0]?.version, 2);
  });

  it("keeps on reload a revision applied after the load began, and a deletion made then", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a"), loaded("gone", 2, "x")], 1);
    subject.apply([{ change: change("level", 3, { value: "b" }), via: "stream" }], 510);
    subject.apply([{ change: change("gone", 3, { operation: "Delete" }), via: "stream" }], 520);
    const outcome = subject.reload([loaded("level", 2, "a"), loaded("gone", 2, "x")], 500, 600);
    assert.equal(outcome.applied.length, 0);
    assert.equal(subject.value("level"), "b");
    assert.equal(subject.value("gone"), undefined);
  });

  it("forgets on reload a refused revision SSM does not have, and keeps one it does", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a")], 1);
    subject.apply([{ change: change("level", 9, { value: "zzz" }), via: "stream" }], 2);
    assert.equal(subject.heldBack().length, 1);
    subject.reload([loaded("level", 2, "a")], 500, 600);
    assert.deepEqual(subject.heldBack(), [], "SSM holds version 2: nothing is held back");
    subject.reload([loaded("level", 3, "zzz")], 700, 800);
    assert.deepEqual(
      subject.heldBack().map((b) => b.refusedVersion),
      [3],
      "SSM's own refused revision stays held back",
    );
    assert.equal(subject.value("level"), "a");
  });
});

describe("what readers of the store see", () => {
  it("hands out a snapshot that a later batch never changes, made once per change", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a"), loaded("other", 2, "x")], 1);
    const before = subject.snapshot();
    assert.equal(subject.snapshot(), before, "no change: the same snapshot");
    subject.apply(
      [
        { change: change("level", 3, { value: "b" }), via: "stream" },
        { change: change("other", 3, { operation: "Delete" }), via: "stream" },
      ],
      2,
    );
    assert.deepEqual({ ...before }, { level: "a", other: "x" }, "the snapshot taken before the batch");
    assert.ok(Object.isFrozen(before));
    const after = subject.snapshot();
    assert.deepEqual({ ...after }, { level: "b" });
    assert.ok(Object.isFrozen(after));
    assert.equal(Object.getPrototypeOf(after), null);
    subject.apply([{ change: change("level", 4, { value: "b" }), via: "stream" }], 3);
    assert.equal(subject.snapshot(), after, "a version that moved alone changes no value: the same snapshot");
  });

  it("writes no entry of a batch before every entry is decided: a check run between two entries sees none of it", () => {
    const seen: unknown[][] = [];
    let subject: ConfigStore | undefined;
    const watched = z.string().refine(() => {
      if (subject) seen.push([subject.value("a"), subject.value("b"), subject.value("c"), subject.snapshot().a]);
      return true;
    });
    subject = new ConfigStore(new ConfigRules(PATH, { a: watched, b: watched, c: watched }, false));
    boot(subject, [loaded("a", 1, "0"), loaded("b", 1, "0"), loaded("c", 1, "0")], 1);
    seen.length = 0;
    const outcome = subject.apply(
      ["a", "b", "c"].map((key) => ({ change: change(key, 2, { value: "1" }), via: "stream" as const })),
      2,
    );
    assert.deepEqual(seen, Array(3).fill(["0", "0", "0", "0"]), "each check saw the state before the batch");
    assert.deepEqual(
      outcome.changes.map((c) => [c.key, c.previous, c.value]),
      [
        ["a", "0", "1"],
        ["b", "0", "1"],
        ["c", "0", "1"],
      ],
    );
    assert.deepEqual({ ...subject.snapshot() }, { a: "1", b: "1", c: "1" }, "then all of it at once");
  });

  it("changes nothing when a batch is only validated", () => {
    const subject = store();
    boot(subject, [loaded("level", 2, "a")], 1);
    const before = subject.snapshot();
    const results = subject.validate([{ change: change("level", 3, { value: "b" }), via: "rpc" }], 2);
    assert.deepEqual(
      results.map((r) => r.status),
      ["applied"],
    );
    assert.equal(subject.value("level"), "a");
    assert.equal(subject.snapshot(), before);
    assert.equal(subject.heldParameters()[0]?.version, 2);
  });
});
