import { strict as assert } from "node:assert";
import { compareRevisions, isNewerRevision, type Revision } from "../../../runtime/protocol";

const at = (iso: string): number => Date.parse(iso);

describe("revision order: (modifiedAt, version)", () => {
  it("puts a later modification after an earlier one", () => {
    assert.ok(
      compareRevisions(
        { version: 8, modifiedAt: at("2026-11-25T12:00:01Z") },
        { version: 7, modifiedAt: at("2026-11-25T12:00:00Z") },
      ) > 0,
    );
  });

  it("breaks a tie of the clock with the version", () => {
    const t = at("2026-11-25T12:00:00.500Z");
    assert.ok(compareRevisions({ version: 8, modifiedAt: t }, { version: 7, modifiedAt: t }) > 0);
    assert.ok(compareRevisions({ version: 7, modifiedAt: t }, { version: 8, modifiedAt: t }) < 0);
  });

  it("treats the same revision as equal (a duplicate)", () => {
    const r: Revision = { version: 3, modifiedAt: 1_000 };
    assert.equal(compareRevisions(r, { ...r }), 0);
    assert.equal(isNewerRevision(r, { ...r }), false);
  });

  it("is antisymmetric", () => {
    const revisions: Revision[] = [
      { version: 1, modifiedAt: 5 },
      { version: 9, modifiedAt: 4 },
      { version: 2, modifiedAt: 5 },
      { version: 1, modifiedAt: 6 },
    ];
    for (const a of revisions)
      for (const b of revisions) assert.equal(Math.sign(compareRevisions(a, b)) + Math.sign(compareRevisions(b, a)), 0);
  });

  describe("delete and re-create", () => {
    const lastUpdate: Revision = { version: 12, modifiedAt: at("2026-11-25T12:00:00.700Z") };
    // The Lambda publishes a Delete with {version: last published, modifiedAt: max(event time, last + 1)}.
    const deletion: Revision = {
      version: 12,
      modifiedAt: Math.max(at("2026-11-25T12:00:00Z"), lastUpdate.modifiedAt + 1),
    };
    const recreated: Revision = { version: 1, modifiedAt: at("2026-11-25T12:00:02.100Z") };

    it("orders a Delete after the revision it removes, even when the event's whole-second time reads earlier", () => {
      assert.ok(compareRevisions(deletion, lastUpdate) > 0);
    });

    it("never lets a late copy of the deleted parameter's last update resurrect it", () => {
      assert.equal(isNewerRevision(lastUpdate, deletion), false);
    });

    it("puts the re-created parameter's version 1 after the Delete of version 12", () => {
      assert.ok(compareRevisions(recreated, deletion) > 0);
      assert.ok(isNewerRevision(recreated, deletion));
    });
  });

  it("takes anything as newer when nothing is held", () => {
    assert.ok(isNewerRevision({ version: 0, modifiedAt: 0 }, undefined));
  });
});
