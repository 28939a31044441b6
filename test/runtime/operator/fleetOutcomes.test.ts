import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { LocalRedisServer } from "../../../runtime/local/servers";
import {
  ACK_CLOCK_MARGIN_MS,
  outcomeKnowable,
  readRecordedOutcomes,
  revisionKey,
} from "../../../runtime/operator/history/fleetOutcomes";
import { buildAckFields, buildRefusalFields } from "../../../runtime/protocol";

const NAME = "/shop/beta/log_level";

describe("the fleet's outcome of each version, read from the acks stream", function () {
  this.timeout(30_000);
  let server: LocalRedisServer;
  let redis: Redis;
  before(async () => {
    server = await LocalRedisServer.start();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.dispose();
  });

  /** Writes entries with ids of the given ms, so the stream's times are the test's. */
  async function write(key: string, entries: [number, string[]][]): Promise<void> {
    for (const [ms, fields] of entries) await redis.xadd(key, `${ms}-0`, ...fields);
  }
  const ack = (instanceId: string, version: number, modifiedAt: number, name = NAME) =>
    buildAckFields({ instanceId, name, version, via: "stream", appliedAt: 1, modifiedAt });
  const refusal = (instanceId: string, version: number, modifiedAt: number) =>
    buildRefusalFields({
      instanceId,
      name: NAME,
      version,
      reason: "VALIDATION_FAILED",
      detail: "log_level: Invalid option",
      via: "rpc",
      refusedAt: 1,
      modifiedAt,
    });

  it("counts each instance once per version, refusals with their reason, and only the acks of that very revision", async () => {
    const key = "acks:counts";
    await write(key, [
      [1_000, ack("shop-1", 1, 900)],
      [1_001, ack("shop-2", 1, 900)],
      [4_100, ack("shop-1", 2, 4_000)],
      [4_200, refusal("shop-2", 2, 4_000)],
      [4_300, ack("shop-1", 2, 4_000)], // delivered twice (at least once)
      [4_400, ack("shop-3", 2, 4_000, "/shop/beta/other")],
      [4_500, ack("shop-3", 2, 100)], // version 2 of the parameter before it was deleted and created again
    ]);
    const recorded = await readRecordedOutcomes(redis, key, NAME);
    assert.equal(recorded.trimmedBefore, undefined, "nothing was trimmed");
    assert.deepEqual(recorded.byRevision.get(revisionKey(1, 900)), { appliedBy: ["shop-1", "shop-2"], refusals: [] });
    assert.deepEqual(recorded.byRevision.get(revisionKey(2, 4_000)), {
      appliedBy: ["shop-1"],
      refusals: [{ instanceId: "shop-2", reason: "VALIDATION_FAILED", detail: "log_level: Invalid option" }],
    });
    assert.equal(outcomeKnowable(recorded, 900), undefined);
  });

  it("says unknown for a version modified before the oldest entry the trimmed stream still holds (with a margin for clocks)", async () => {
    const key = "acks:trimmed";
    await write(key, [
      [1_000, ack("shop-1", 1, 900)],
      [4_100, ack("shop-1", 2, 4_000)],
      [9_100, ack("shop-1", 3, 9_000)],
    ]);
    await redis.xtrim(key, "MINID", "4100");
    const recorded = await readRecordedOutcomes(redis, key, NAME);
    assert.equal(recorded.trimmedBefore, 4_100);
    assert.equal(outcomeKnowable(recorded, 900), "acks trimmed from the stream");
    assert.equal(outcomeKnowable(recorded, 4_000), "acks trimmed from the stream");
    assert.equal(outcomeKnowable(recorded, 4_100 + ACK_CLOCK_MARGIN_MS), "acks trimmed from the stream");
    assert.equal(outcomeKnowable(recorded, 9_000), undefined);

    await redis.xtrim(key, "MAXLEN", 0);
    const emptied = await readRecordedOutcomes(redis, key, NAME);
    assert.equal(emptied.trimmedBefore, 9_100, "everything up to the last entry is gone");
    assert.equal(outcomeKnowable(emptied, 9_000), "acks trimmed from the stream");
  });

  it("says unknown for every version when there is no acks stream at all", async () => {
    const recorded = await readRecordedOutcomes(redis, "acks:none", NAME);
    assert.equal(recorded.exists, false);
    assert.equal(outcomeKnowable(recorded, 9_000), "no acks stream: nothing was recorded");
  });
});
