import { strict as assert } from "node:assert";
import {
  assessStreamPosition,
  compareStreamIds,
  type StreamInfo,
  type StreamPosition,
} from "../../../runtime/client/stream";

const at = (lastId: string, consumed: number | undefined, epoch: string | null = "e1"): StreamPosition => ({
  lastId,
  consumed,
  epoch,
});
const stream = (info: Partial<StreamInfo>): StreamInfo => ({
  exists: true,
  lastGeneratedId: "100-0",
  length: 10,
  entriesAdded: 10,
  maxDeletedId: "0-0",
  firstEntryId: "91-0",
  epoch: "e1",
  ...info,
});

describe("stream position assessment", () => {
  describe("a position that can go on", () => {
    it("is ok when nothing after the last id was removed", () => {
      assert.equal(assessStreamPosition(at("100-0", 10), stream({})), "ok");
      assert.equal(
        assessStreamPosition(at("95-0", 5), stream({ entriesAdded: 12, length: 7 })),
        "ok",
        "only entries already read were trimmed",
      );
    });

    it("is ok for a client that started before the stream existed and reads it from its first entry", () => {
      assert.equal(
        assessStreamPosition(at("0-0", 0, null), stream({ exists: false, lastGeneratedId: "0-0", length: 0 })),
        "ok",
      );
      assert.equal(assessStreamPosition(at("0-0", 0, null), stream({})), "ok");
    });
  });

  describe("a trimmed position", () => {
    it("is detected when more entries left the head than the client consumed", () => {
      assert.equal(assessStreamPosition(at("95-0", 5), stream({ entriesAdded: 12, length: 6 })), "trimmed");
    });

    it("is detected when XDEL removed an entry after the last id", () => {
      assert.equal(assessStreamPosition(at("95-0", 5), stream({ maxDeletedId: "97-0" })), "trimmed");
    });

    it("is detected on Redis < 7 (no entries-added) when the first entry is after the last id", () => {
      const old = stream({ entriesAdded: undefined, maxDeletedId: undefined });
      assert.equal(assessStreamPosition(at("90-0", undefined), old), "trimmed");
      assert.equal(assessStreamPosition(at("95-0", undefined), old), "ok");
    });
  });

  describe("a recreated stream", () => {
    it("is detected when the stream is gone after the client read from it", () => {
      assert.equal(
        assessStreamPosition(
          at("100-0", 10),
          stream({ exists: false, lastGeneratedId: "0-0", length: 0, epoch: null }),
        ),
        "recreated",
      );
    });

    it("is detected when the epoch changed or vanished", () => {
      assert.equal(assessStreamPosition(at("100-0", 10), stream({ epoch: "e2" })), "recreated");
      assert.equal(assessStreamPosition(at("100-0", 10), stream({ epoch: null })), "recreated");
    });

    it("is detected when the stream is behind the client", () => {
      assert.equal(assessStreamPosition(at("200-0", 10), stream({})), "recreated");
      assert.equal(assessStreamPosition(at("100-0", 30), stream({})), "recreated");
    });
  });

  describe("a failover", () => {
    const checkedOn = (replicationId: string): StreamPosition => ({ ...at("100-0", 10), replicationId });

    it("is detected when the server is a promoted replica (a new replication id, a previous one set)", () => {
      assert.equal(
        assessStreamPosition(checkedOn("a1"), stream({ replicationId: "b2", previousReplicationId: "a1" })),
        "failover",
      );
      assert.equal(
        assessStreamPosition(checkedOn("a1"), stream({ replicationId: "c3", previousReplicationId: "b2" })),
        "failover",
        "two promotions while away",
      );
    });

    it("is not reported for the same server, a restarted one (no previous id) or a server that reports no id", () => {
      assert.equal(
        assessStreamPosition(checkedOn("a1"), stream({ replicationId: "a1", previousReplicationId: "f0" })),
        "ok",
      );
      assert.equal(assessStreamPosition(checkedOn("a1"), stream({ replicationId: "b2" })), "ok");
      assert.equal(assessStreamPosition(checkedOn("a1"), stream({})), "ok");
      assert.equal(
        assessStreamPosition(at("100-0", 10), stream({ replicationId: "b2", previousReplicationId: "a1" })),
        "ok",
        "no id recorded",
      );
    });

    it("gives way to a recreated or trimmed verdict, which say more", () => {
      assert.equal(
        assessStreamPosition(
          checkedOn("a1"),
          stream({ replicationId: "b2", previousReplicationId: "a1", epoch: "e2" }),
        ),
        "recreated",
      );
      assert.equal(
        assessStreamPosition(
          checkedOn("a1"),
          stream({ replicationId: "b2", previousReplicationId: "a1", maxDeletedId: "101-0" }),
        ),
        "trimmed",
      );
    });
  });

  it("orders stream ids numerically, not as text", () => {
    assert.ok(compareStreamIds("9-0", "10-0") < 0);
    assert.ok(compareStreamIds("10-2", "10-10") < 0);
    assert.equal(compareStreamIds("1700000000000-5", "1700000000000-5"), 0);
    assert.ok(compareStreamIds("1700000000001-0", "1700000000000-99") > 0);
  });
});
