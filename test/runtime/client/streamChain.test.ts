import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { z } from "zod";
import { StreamPublisher } from "../../../runtime/lambda/stream";
import { buildStreamFields, defaultStreamKey, streamKeys, type ParameterChange } from "../../../runtime/protocol";
import { ClientPool, useTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { putParameter, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

/** How many position checks (`XINFO STREAM`) this Redis has served so far. */
async function positionChecks(redis: Redis): Promise<number> {
  const stats = await redis.info("commandstats");
  return Number(/cmdstat_xinfo\|stream:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe("the stream reader and the publisher's chain of entries", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));
  const publishers: Redis[] = [];
  afterEach(() => publishers.splice(0).forEach((redis) => redis.disconnect()));

  /** Publishes `change` with the refresh Lambda's own publisher (its Lua script writes `previousId`). */
  function lambdaPublisher(streamKey: string): (change: ParameterChange) => Promise<void> {
    const redis = new Redis(env.redis.url);
    publishers.push(redis);
    const publisher = new StreamPublisher(redis, { streamKey, maxLength: 10_000 });
    return async (change) => {
      const { published } = await publisher.publish([{
        name: change.name,
        events: [{ eventId: `e-${change.version}`, name: change.name, operation: change.operation, time: change.changedAt, source: "test" }],
        current: { name: change.name, type: change.type, version: change.version, value: change.value, modifiedAt: change.modifiedAt },
      }]);
      assert.equal(published.length, 1);
    };
  }

  it("applies publications chained to its position without a position check, and checks once after a break in the chain", async () => {
    const path = uniquePath();
    const streamKey = defaultStreamKey(path);
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path, ssm: env.ssm, redis: env.redis.url, schema: { log_level: z.string() },
      stream: { blockMs: 60_000 }, // no idle check during the test
    });
    const publish = lambdaPublisher(streamKey);
    const before = await positionChecks(env.admin);

    for (const value of ["debug", "warn", "error", "info"]) {
      await publish(await putParameter(env.ssm, `${path}log_level`, value));
      await waitFor(`log_level = ${value}`, () => client.get("log_level") === value);
    }
    assert.equal(await positionChecks(env.admin) - before, 0, "chained entries need no check");

    // An entry that does not name the reader's last id (another writer; or entries trimmed or lost in between).
    const foreign = await putParameter(env.ssm, `${path}log_level`, "debug");
    await env.admin.xadd(streamKeys(streamKey).stream, "*", ...buildStreamFields({ ...foreign, publishedAt: Date.now() }));
    await waitFor("the foreign entry", () => client.get("log_level") === "debug");
    await waitFor("one position check", async () => (await positionChecks(env.admin)) - before === 1);
    assert.equal(client.metrics().reloads ?? 0, 0, "the check found the position intact: no reload");
  });
});
