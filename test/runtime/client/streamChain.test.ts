import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { z } from "zod";
import { positionAt, readStreamInfo, StreamReader, type RawStreamEntry } from "../../../runtime/client/stream";
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
  afterEach(() => {
    for (const redis of publishers.splice(0)) redis.disconnect();
  });

  /** Publishes `change` with the refresh Lambda's own publisher (its Lua script writes `previousId`). */
  function lambdaPublisher(streamKey: string): (change: ParameterChange) => Promise<void> {
    const redis = new Redis(env.redis.url);
    publishers.push(redis);
    const publisher = new StreamPublisher(redis, { streamKey, maxLength: 10_000 });
    return async (change) => {
      const { published } = await publisher.publish([
        {
          name: change.name,
          events: [
            {
              eventId: `e-${change.version}`,
              name: change.name,
              operation: change.operation,
              time: change.changedAt,
              source: "test",
            },
          ],
          current: {
            name: change.name,
            type: change.type,
            version: change.version,
            value: change.value,
            modifiedAt: change.modifiedAt,
          },
        },
      ]);
      assert.equal(published.length, 1);
    };
  }

  it("applies publications chained to its position without a position check, and checks once after a break in the chain", async () => {
    const path = uniquePath();
    const streamKey = defaultStreamKey(path);
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { log_level: z.string() },
      stream: { blockMs: 60_000 }, // no idle check during the test
    });
    const publish = lambdaPublisher(streamKey);
    const before = await positionChecks(env.admin);

    for (const value of ["debug", "warn", "error", "info"]) {
      await publish(await putParameter(env.ssm, `${path}log_level`, value));
      await waitFor(`log_level = ${value}`, () => client.get("log_level") === value);
    }
    assert.equal((await positionChecks(env.admin)) - before, 0, "chained entries need no check");

    // An entry that does not name the reader's last id (another writer; or entries trimmed or lost in between).
    const foreign = await putParameter(env.ssm, `${path}log_level`, "debug");
    await env.admin.xadd(
      streamKeys(streamKey).stream,
      "*",
      ...buildStreamFields({ ...foreign, publishedAt: Date.now() }),
    );
    await waitFor("the foreign entry", () => client.get("log_level") === "debug");
    await waitFor("one position check", async () => (await positionChecks(env.admin)) - before === 1);
    assert.equal(client.metrics().reloads ?? 0, 0, "the check found the position intact: no reload");
  });

  it("checks its old position before applying a batch that follows a gap, and reports the trim instead of applying past it", async () => {
    const path = uniquePath();
    const keys = streamKeys(defaultStreamKey(path));
    const publish = lambdaPublisher(defaultStreamKey(path));
    const change = (version: number): ParameterChange => ({
      name: `${path}log_level`,
      operation: "Update",
      version,
      type: "String",
      value: `v${version}`,
      modifiedAt: 1_700_000_000_000 + version,
      changedAt: Date.now(),
    });
    await publish(change(1));

    const redis = new Redis(env.redis.url);
    publishers.push(redis);
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const applied: string[][] = [];
    const resets: string[] = [];
    const reader = new StreamReader(
      redis,
      keys,
      { blockMs: 60_000, batchSize: 100, backoff: { minDelayMs: 10, maxDelayMs: 50 } },
      {
        onEntries: async (entries: readonly RawStreamEntry[]) => {
          applied.push(entries.map(([, fields]) => fields[fields.indexOf("value") + 1] as string));
          if (applied.length === 1) await firstHeld;
        },
        onReset: async (reason) => void resets.push(reason),
        onError: () => undefined,
      },
    );
    reader.start(positionAt(await readStreamInfo(env.admin, keys)));
    try {
      await publish(change(2));
      await waitFor("the first batch, held", () => applied.length === 1);
      // While the reader holds v2: four more entries, the two after v2 trimmed away (a gap shorter than the next batch).
      for (const version of [3, 4, 5, 6]) await publish(change(version));
      await env.admin.xtrim(keys.stream, "MAXLEN", 2);
      releaseFirst();

      await waitFor("the reset", () => resets.length > 0);
      assert.deepEqual(resets, ["trimmed"]);
      assert.deepEqual(applied, [["v2"]], "v5 and v6 are not applied over the lost v3 and v4: the reload covers them");
      assert.equal(
        reader.position?.lastId,
        (await readStreamInfo(env.admin, keys)).lastGeneratedId,
        "moved to the stream's end",
      );
    } finally {
      await reader.stop();
    }
  });
});
