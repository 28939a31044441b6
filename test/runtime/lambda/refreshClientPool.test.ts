import { strict as assert } from "node:assert";
import { RefreshClientPool, refreshInstance } from "../../../runtime/lambda/fanout";
import { startTestInstance, type TestInstance } from "./support/instances";

const request = {
  changes: [
    { name: "/p/x", operation: "Update", version: 2, type: "String", value: "v", modifiedAtMs: 1, changedAtMs: 1 },
  ],
  eventId: "e",
  sentAtMs: 1,
};
const tokens = { get: async () => "t", refresh: async () => "t" };

describe("refresh Lambda: the pool of gRPC channels (real gRPC on 127.0.0.1)", () => {
  const instances: TestInstance[] = [];
  let pool: RefreshClientPool | undefined;

  afterEach(async () => {
    pool?.close();
    await Promise.all(instances.splice(0).map((instance) => instance.stop()));
  });

  async function start(...ids: string[]): Promise<TestInstance[]> {
    const started = await Promise.all(ids.map((id) => startTestInstance(id, ["t"])));
    instances.push(...started);
    return started;
  }

  it("never closes a channel whose call has not started yet: two calls at once on a pool of one both arrive", async () => {
    const [a, b] = await start("i-a", "i-b");
    pool = new RefreshClientPool({ maxClients: 1 });

    const results = await Promise.all(
      [a!, b!].map((target) =>
        refreshInstance({ instanceId: target.instanceId, address: target.address }, request, {
          pool: pool!,
          tokens,
          deadlineMs: 2_000,
          retries: 0,
        }),
      ),
    );

    assert.deepEqual(
      results.map((r) => [r.instanceId, r.outcome, r.error]),
      [
        ["i-a", "ACK", undefined],
        ["i-b", "ACK", undefined],
      ],
    );
    assert.deepEqual([a!.calls.length, b!.calls.length], [1, 1]);
    assert.equal(pool.size, 1, "back to its bound once the calls ended");
  });

  it("closes the least recently used idle channel beyond its bound, and a discarded one only once its call ended", async () => {
    pool = new RefreshClientPool({ maxClients: 2 });
    const first = pool.acquire("127.0.0.1:1");
    pool.acquire("127.0.0.1:2").release();
    pool.discard("127.0.0.1:1");
    assert.equal(pool.size, 2, "a discarded channel stays open while a call holds it");
    first.release();
    assert.equal(pool.size, 1);

    pool.acquire("127.0.0.1:3").release();
    pool.acquire("127.0.0.1:4").release();
    assert.equal(pool.size, 2);
    assert.equal(pool.takePeak(), 2);
  });
});
