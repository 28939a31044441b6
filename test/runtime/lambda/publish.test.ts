import { strict as assert } from "node:assert";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  REFRESH_METRICS,
  StreamPublishError,
  ParameterStoreError,
  parsePublishedRevision,
  type LambdaSettings,
} from "../../../runtime/lambda";
import { StreamPublisher } from "../../../runtime/lambda/stream";
import Redis from "ioredis";
import { LocalRedisServer, emulatorClientConfig, freePort } from "../../../runtime/local/servers";
import { compareRevisions, streamKeys } from "../../../runtime/protocol";
import { changeEvent, destinationRecord, seededRandom, sqsEvent } from "./support/events";
import { RefreshFixture } from "./support/refreshFixture";

describe("refresh Lambda: publishing changes on the stream (moto + own redis-server)", function () {
  let fx: RefreshFixture;

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  after(async () => fx?.close());
  afterEach(async () => fx.closeHandlers());

  const setup = (): { prefix: string; settings: LambdaSettings } => {
    const prefix = fx.newPrefix();
    return { prefix, settings: fx.settings({ parameterPrefix: prefix }) };
  };

  describe("one change", () => {
    it("puts exactly one entry carrying the name, operation, SSM version, type, value, change time and publish time", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}log_level`;
      await fx.put(name, "info");
      const version = await fx.put(name, "debug");
      const event = changeEvent(name, "Update", { time: new Date(Date.now() - 5_000) });
      const { refresh, metrics } = fx.handler(settings);
      const mark = fx.ssmCalls.length;
      const before = Date.now();

      const result = await refresh(event);

      const entries = await fx.readStream(settings);
      assert.equal(entries.length, 1);
      const [{ id, message }] = entries as [(typeof entries)[number]];
      const ssmNow = await fx.ssm.send(new GetParameterCommand({ Name: name }));
      assert.deepEqual(
        {
          format: message.format,
          name: message.name,
          operation: message.operation,
          version: message.version,
          type: message.type,
          value: message.value,
          eventId: message.eventId,
        },
        { format: 1, name, operation: "Update", version, type: "String", value: "debug", eventId: event.id },
      );
      assert.equal(
        message.modifiedAt,
        ssmNow.Parameter?.LastModifiedDate?.getTime(),
        "modifiedAt is SSM's LastModifiedDate",
      );
      assert.equal(message.changedAt, Date.parse(event.time as string), "changedAt is the event's time");
      assert.ok(
        message.publishedAt >= before && message.publishedAt <= Date.now(),
        "publishedAt is the time of the publish",
      );
      assert.deepEqual(
        result.published.map((c) => c.streamId),
        [id],
      );
      assert.deepEqual(result.skipped, []);
      assert.equal(fx.countCalls("GetParametersCommand", mark), 1);

      const held = parsePublishedRevision((await fx.publishedHash(settings))[name]);
      assert.deepEqual(
        { version: held?.version, modifiedAt: held?.modifiedAt, streamId: held?.streamId },
        { version, modifiedAt: message.modifiedAt, streamId: id },
      );
      assert.ok(
        await fx.redis.get(streamKeys(settings.streamKey).epoch),
        "the epoch key is set with the first publish",
      );
      assert.equal(metrics.sum(REFRESH_METRICS.published), 1);
      const [latency] = metrics.values.get(REFRESH_METRICS.eventToPublishLatency) ?? [];
      assert.ok(latency !== undefined && latency >= 4_000, "EventToPublishLatency counts from the event's time");
      assert.equal(metrics.flushes, 1);
    });

    it("chains every entry to the one before it (previousId), within one invocation and across invocations", async () => {
      const { prefix, settings } = setup();
      const [a, b, c] = [`${prefix}a`, `${prefix}b`, `${prefix}c`];
      for (const name of [a, b, c]) await fx.put(name, "1");
      const { refresh } = fx.handler(settings);

      await refresh([changeEvent(a, "Create"), changeEvent(b, "Create")]);
      await refresh(changeEvent(c, "Create"));

      const entries = await fx.readStream(settings);
      assert.deepEqual(
        entries.map((e) => e.message.previousId),
        ["0-0", entries[0]!.id, entries[1]!.id],
      );
    });

    it("trims the stream approximately to the configured MAXLEN", async () => {
      const prefix = fx.newPrefix();
      const settings = fx.settings({ parameterPrefix: prefix, streamMaxLength: 5 });
      const names = Array.from({ length: 40 }, (_, i) => `${prefix}trim/p${i}`);
      for (const name of names) await fx.put(name, "x");
      const { refresh } = fx.handler(settings);
      // "~" trims whole radix-tree nodes: small nodes on this test's own server make it visible with 40 entries.
      await fx.redis.config("SET", "stream-node-max-entries", "4");
      try {
        const result = await refresh(names.map((name) => changeEvent(name, "Create")));
        assert.equal(result.published.length, 40);
      } finally {
        await fx.redis.config("SET", "stream-node-max-entries", "100");
      }
      const length = await fx.redis.xlen(settings.streamKey);
      assert.ok(length < 20, `40 entries were published into a stream of MAXLEN ~5; it holds ${length}`);
    });
  });

  describe("idempotence and version order", () => {
    it("publishes nothing for the same event delivered twice, and reports it as a duplicate", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}feature_x`;
      await fx.put(name, "on");
      const event = changeEvent(name, "Create");
      const { refresh, metrics } = fx.handler(settings);

      const first = await refresh(event);
      const second = await refresh(event);

      assert.equal(first.published.length, 1);
      assert.deepEqual(second.published, []);
      assert.deepEqual(second.skipped, [{ name, reason: "duplicate" }]);
      assert.equal((await fx.readStream(settings)).length, 1);
      assert.equal(metrics.sum(REFRESH_METRICS.duplicates), 1);
    });

    it("publishes nothing when the event of an older version arrives after the newer one was published", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}timeout_ms`;
      await fx.put(name, "100");
      const older = changeEvent(name, "Create", { time: new Date(Date.now() - 2_000) });
      const v2 = await fx.put(name, "200");
      const newer = changeEvent(name, "Update");
      const { refresh } = fx.handler(settings);

      await refresh(newer);
      const late = await refresh(older);

      assert.deepEqual(late.published, []);
      const entries = await fx.readStream(settings);
      assert.deepEqual(
        entries.map((e) => [e.message.version, e.message.value]),
        [[v2, "200"]],
      );
    });

    it("refuses, in the script, a state older than the published revision (a slower concurrent invocation)", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}pool_size`;
      await fx.put(name, "5");
      const v2 = await fx.put(name, "6");
      const { refresh } = fx.handler(settings);
      const published = (await refresh(changeEvent(name, "Update"))).published[0];
      assert.ok(published);
      const publisher = new StreamPublisher(fx.newRedis(), { streamKey: settings.streamKey, maxLength: 100 });
      const event = { eventId: "late", name, operation: "Update" as const, time: Date.now(), source: "test" };

      const stale = await publisher.publish([
        {
          name,
          events: [event],
          current: { name, type: "String", version: v2 - 1, value: "5", modifiedAt: published.modifiedAt - 10 },
        },
      ]);
      const sameTimeOlderVersion = await publisher.publish([
        {
          name,
          events: [event],
          current: { name, type: "String", version: v2 - 1, value: "5", modifiedAt: published.modifiedAt },
        },
      ]);

      assert.deepEqual(stale, { published: [], skipped: [{ name, reason: "older-than-published" }] });
      assert.deepEqual(
        sameTimeOlderVersion.skipped,
        [{ name, reason: "older-than-published" }],
        "the version breaks a tie of modifiedAt",
      );
      assert.equal((await fx.readStream(settings)).length, 1);
    });

    it("collapses a batch of events in reverse order into one entry of the current version", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}banner`;
      const events = [];
      for (const value of ["a", "b", "c"]) {
        await fx.put(name, value);
        events.push(changeEvent(name, value === "a" ? "Create" : "Update"));
      }
      const { refresh } = fx.handler(settings);

      const result = await refresh(events.reverse());

      assert.deepEqual(
        result.published.map((c) => [c.version, c.value]),
        [[3, "c"]],
      );
      assert.equal((await fx.readStream(settings)).length, 1);
    });
  });

  describe("bursts", () => {
    it("reads 7 names once for 100 events in one invocation: one GetParameters call, one entry per name at its current version", async () => {
      const { prefix, settings } = setup();
      const names = Array.from({ length: 7 }, (_, i) => `${prefix}burst/p${i}`);
      const random = seededRandom(7);
      const events = [];
      const finalVersion = new Map<string, number>();
      for (let i = 0; i < 100; i++) {
        const name = names[Math.floor(random() * names.length)] ?? names[0]!;
        finalVersion.set(name, await fx.put(name, `v${i}`));
        events.push(changeEvent(name, "Update"));
      }
      const { refresh } = fx.handler(settings);
      const mark = fx.ssmCalls.length;

      const result = await refresh(events);

      assert.equal(fx.countCalls("GetParametersCommand", mark), 1, "⌈7/10⌉ = 1 call");
      const entries = await fx.readStream(settings);
      assert.equal(entries.length, finalVersion.size);
      for (const { message } of entries) assert.equal(message.version, finalVersion.get(message.name));
      assert.equal(result.published.length, finalVersion.size);
    });

    it("reads 23 distinct names in three GetParameters calls of at most 10 names", async () => {
      const { prefix, settings } = setup();
      const names = Array.from({ length: 23 }, (_, i) => `${prefix}wide/p${i}`);
      for (const name of names) await fx.put(name, "x");
      const { refresh } = fx.handler(settings);
      const mark = fx.ssmCalls.length;

      const result = await refresh(names.map((name) => changeEvent(name, "Create")));

      assert.equal(fx.countCalls("GetParametersCommand", mark), 3);
      assert.deepEqual(result.published.map((c) => c.name).sort(), [...names].sort());
    });

    it("never regresses a version when 100 writes to 7 names are delivered at least once, out of order, in concurrent batches", async () => {
      const { prefix, settings } = setup();
      const names = Array.from({ length: 7 }, (_, i) => `${prefix}storm/p${i}`);
      const random = seededRandom(42);
      const containers = [fx.handler(settings).refresh, fx.handler(settings).refresh, fx.handler(settings).refresh];
      const delivered: Record<string, unknown>[] = [];
      const finalVersion = new Map<string, number>();
      const mark = fx.ssmCalls.length;
      let expectedCalls = 0;
      for (let round = 0; round < 4; round++) {
        const fresh = [];
        for (let i = 0; i < 25; i++) {
          const name = names[Math.floor(random() * names.length)] ?? names[0]!;
          finalVersion.set(name, await fx.put(name, `r${round}-${i}`));
          fresh.push(changeEvent(name, "Update"));
        }
        const redelivered = Array.from({ length: 5 }, () => delivered[Math.floor(random() * delivered.length)]).filter(
          (e) => e !== undefined,
        );
        delivered.push(...fresh);
        const batch = [...fresh, ...redelivered].sort(() => random() - 0.5);
        const invocations = [];
        for (let b = 0; b < batch.length; b += 10) {
          const slice = batch.slice(b, b + 10);
          expectedCalls += Math.ceil(new Set(slice.map((e) => (e.detail as { name: string }).name)).size / 10);
          invocations.push(containers[(b / 10) % containers.length]!(slice));
        }
        await Promise.all(invocations);
      }

      assert.equal(
        fx.countCalls("GetParametersCommand", mark),
        expectedCalls,
        "each batch costs ⌈distinct names / 10⌉ calls",
      );
      const entries = await fx.readStream(settings);
      const lastVersion = new Map<string, number>();
      for (const { message } of entries) {
        const previous = lastVersion.get(message.name) ?? 0;
        assert.ok(
          message.version > previous,
          `${message.name}: version ${message.version} published after ${previous}`,
        );
        lastVersion.set(message.name, message.version);
      }
      assert.deepEqual(
        new Map([...lastVersion].sort()),
        new Map([...finalVersion].sort()),
        "the last entry of each name is its final version",
      );
      assert.ok(entries.length <= 4 * names.length, `${entries.length} entries for 4 rounds over 7 names`);
      console.log(
        `      (storm: 100 writes, ${delivered.length + 20} deliveries, ${expectedCalls} GetParameters calls, ${entries.length} stream entries)`,
      );
    });
  });

  describe("Delete, label, StringList, SecureString", () => {
    it("publishes one Delete with the last published version, a time after it and no value", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}old_flag`;
      await fx.put(name, "1");
      const version = await fx.put(name, "2");
      const { refresh } = fx.handler(settings);
      const [update] = (await refresh(changeEvent(name, "Update"))).published;
      await fx.delete(name);

      // EventBridge times are whole seconds: the deletion's time may read earlier than the last LastModifiedDate.
      const result = await refresh(changeEvent(name, "Delete", { time: new Date(update!.modifiedAt) }));

      const entries = await fx.readStream(settings);
      assert.equal(entries.length, 2);
      const deletion = entries[1]!.message;
      assert.deepEqual([deletion.operation, deletion.version, deletion.value], ["Delete", version, undefined]);
      assert.ok(
        compareRevisions(deletion, update!) > 0,
        "the Delete orders after the revision it removes, even with a truncated event time",
      );
      assert.equal(result.published[0]?.streamId, entries[1]!.id);
    });

    it("publishes nothing for a second Delete event or for a late event of the deleted parameter", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}gone`;
      await fx.put(name, "x");
      const create = changeEvent(name, "Create");
      const { refresh } = fx.handler(settings);
      await refresh(create);
      await fx.delete(name);
      const deletion = changeEvent(name, "Delete");
      await refresh(deletion);

      const again = await refresh(deletion);
      const late = await refresh(create);

      assert.deepEqual(again.skipped, [{ name, reason: "already-deleted" }]);
      assert.deepEqual(late.skipped, [{ name, reason: "already-deleted" }]);
      assert.deepEqual(
        (await fx.readStream(settings)).map((e) => e.message.operation),
        ["Create", "Delete"],
      );
    });

    it("publishes nothing for a Delete event older than the revision on the stream, then the current deletion", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}deleted_twice`;
      await fx.put(name, "x");
      const { refresh } = fx.handler(settings);
      await refresh(changeEvent(name, "Create"));
      await fx.delete(name);

      const stale = await refresh(changeEvent(name, "Delete", { time: new Date(Date.now() - 60_000) }));
      const current = await refresh(changeEvent(name, "Delete"));

      assert.deepEqual(
        stale.skipped,
        [{ name, reason: "older-than-published" }],
        "that deletion happened before the published revision existed",
      );
      assert.deepEqual(
        current.published.map((c) => c.operation),
        ["Delete"],
      );
    });

    it("publishes a parameter re-created after its deletion as a Create that orders after the Delete", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}phoenix`;
      await fx.put(name, "a");
      await fx.put(name, "b");
      const { refresh } = fx.handler(settings);
      await refresh(changeEvent(name, "Update"));
      await fx.delete(name);
      await refresh(changeEvent(name, "Delete"));
      await fx.put(name, "reborn");

      const result = await refresh(changeEvent(name, "Create"));

      const entries = (await fx.readStream(settings)).map((e) => e.message);
      assert.deepEqual(
        entries.map((m) => [m.operation, m.version]),
        [
          ["Update", 2],
          ["Delete", 2],
          ["Create", 1],
        ],
      );
      assert.ok(compareRevisions(entries[2]!, entries[1]!) > 0, "version 1 after the Delete of version 2");
      assert.equal(result.published[0]?.value, "reborn");
    });

    it("still publishes the Delete of a name it never published (instances may hold it from their boot load)", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}loaded_at_boot`;
      await fx.put(name, "x");
      await fx.delete(name);
      const { refresh } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Delete"));

      assert.deepEqual(
        result.published.map((c) => [c.operation, c.version, c.value]),
        [["Delete", 0, undefined]],
      );
    });

    it("publishes nothing when a label moved without a new version, and logs it", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}labelled`;
      await fx.put(name, "a");
      await fx.put(name, "b");
      const { refresh, logger } = fx.handler(settings);
      await refresh(changeEvent(name, "Update"));
      await fx.label(name, 1, "stable");

      const result = await refresh(changeEvent(name, "LabelParameterVersion"));

      assert.deepEqual(result.published, []);
      assert.deepEqual(result.skipped, [{ name, reason: "label-without-new-version" }]);
      assert.equal(logger.find("label moved, no new version to publish").length, 1);
      assert.equal((await fx.readStream(settings)).length, 1);
    });

    it("publishes a StringList with its comma-joined value", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}allowed_origins`;
      await fx.put(name, "https://a.example,https://b.example", "StringList");
      const { refresh } = fx.handler(settings);

      await refresh(changeEvent(name, "Create", { type: "StringList" }));

      const [entry] = await fx.readStream(settings);
      assert.deepEqual(
        [entry?.message.type, entry?.message.value],
        ["StringList", "https://a.example,https://b.example"],
      );
    });

    it("publishes a SecureString without its value: not in the stream, not in the hash, not in a log line", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}db/password`;
      const secret = "s3cr3t-Value-that-must-not-leak";
      await fx.put(name, secret, "SecureString");
      const { refresh, logger } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create", { type: "SecureString" }));

      const raw = await fx.redis.xrange(settings.streamKey, "-", "+");
      assert.equal(raw.length, 1);
      assert.ok(!raw[0]![1].includes("value"), "no value field");
      const everything = JSON.stringify([raw, await fx.publishedHash(settings), result, logger.lines]);
      assert.ok(!everything.includes(secret), "the secret appears nowhere");
      assert.ok(!everything.includes("kms:"), "nor its ciphertext");
      const [entry] = await fx.readStream(settings);
      assert.deepEqual(
        [entry?.message.type, entry?.message.version, entry?.message.value],
        ["SecureString", 1, undefined],
      );
    });
  });

  describe("input the function does not act on", () => {
    it("ignores a name outside the prefix with a log line, without calling SSM", async () => {
      const { prefix, settings } = setup();
      const outside = `${prefix.replace(/\/beta\/$/, "/betamax/")}x`;
      const { refresh, logger, metrics } = fx.handler(settings);
      const mark = fx.ssmCalls.length;

      const result = await refresh(changeEvent(outside, "Update"));

      assert.deepEqual(result.skipped, [{ name: outside, reason: "outside-prefix" }]);
      assert.equal(fx.countCalls("GetParametersCommand", mark), 0);
      assert.equal(logger.find("ignored: name outside the prefix")[0]?.attributes.name, outside);
      assert.equal(metrics.sum(REFRESH_METRICS.skipped), 1);
      assert.equal(await fx.redis.exists(settings.streamKey), 0);
    });

    it("publishes the good records of a DLQ batch and reports each broken one without failing the batch", async () => {
      const { prefix, settings } = setup();
      const [a, b] = [`${prefix}a`, `${prefix}b`];
      await fx.put(a, "1");
      await fx.put(b, "2");
      const policyAction = { ...changeEvent(a, "Update"), "detail-type": "Parameter Store Policy Action" };
      const unknownOperation = changeEvent(a, "Update");
      (unknownOperation.detail as Record<string, string>).operation = "Rename";
      const { refresh, logger, metrics } = fx.handler(settings);

      const result = await refresh(
        sqsEvent([
          JSON.stringify(changeEvent(a, "Update")),
          "{ not json",
          JSON.stringify(destinationRecord(changeEvent(b, "Create"))),
          JSON.stringify(policyAction),
          JSON.stringify(unknownOperation),
          JSON.stringify({ hello: "world" }),
        ]),
      );

      assert.deepEqual(result.published.map((c) => c.name).sort(), [a, b]);
      assert.deepEqual(
        result.rejected.map((r) => r.source),
        [
          "record[1] (SQS message m-1)",
          "record[3] (SQS message m-3)",
          "record[4] (SQS message m-4)",
          "record[5] (SQS message m-5)",
        ],
      );
      assert.match(result.rejected[0]!.reason, /not JSON/);
      assert.match(result.rejected[1]!.reason, /detail-type/);
      assert.match(result.rejected[2]!.reason, /detail\.operation/);
      assert.equal(logger.find("input record rejected").length, 4);
      assert.equal(metrics.sum(REFRESH_METRICS.rejectedRecords), 4);
    });
  });

  describe("failures that must be retried", () => {
    it("throws when SSM is unreachable, and publishes nothing", async () => {
      const { prefix, settings } = setup();
      const deadSsm = new SSMClient({
        ...emulatorClientConfig(`http://127.0.0.1:${await freePort()}`),
        maxAttempts: 1,
      });
      try {
        const { refresh, metrics } = fx.handler(settings, { ssm: deadSsm });
        await assert.rejects(refresh(changeEvent(`${prefix}x`, "Update")), ParameterStoreError);
        assert.equal(metrics.sum(REFRESH_METRICS.retryableFailures), 1);
        assert.equal(metrics.flushes, 1, "metrics are written even when the invocation throws");
        assert.equal(await fx.redis.exists(settings.streamKey), 0);
      } finally {
        deadSsm.destroy();
      }
    });

    it("reads the Redis AUTH token from SSM, and reads it again after Redis refused it", async () => {
      const secured = await LocalRedisServer.start();
      const admin = new Redis(secured.url);
      try {
        await admin.config("SET", "requirepass", "right-password");
        const prefix = fx.newPrefix();
        const authParameter = `/config-refresh${prefix}redis-auth`;
        await fx.put(authParameter, "stale-password", "SecureString");
        const settings = fx.settings({
          parameterPrefix: prefix,
          redisUrl: secured.url,
          redisAuthTokenParameter: authParameter,
        });
        const name = `${prefix}x`;
        await fx.put(name, "1");
        const { refresh, logger } = fx.handler(settings);

        await assert.rejects(
          refresh(changeEvent(name, "Create")),
          (error: Error) => error instanceof StreamPublishError && /WRONGPASS/.test(error.message),
        );
        await fx.put(authParameter, "right-password", "SecureString");
        const result = await refresh(changeEvent(name, "Create"));

        assert.equal(result.published.length, 1);
        assert.ok(!logger.text().includes("right-password") && !logger.text().includes("stale-password"));
      } finally {
        admin.disconnect();
        await secured.dispose();
      }
    });

    it("throws instead of hanging when Redis is frozen (connection open, no answer)", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}while_redis_frozen`;
      await fx.put(name, "1");
      const { refresh } = fx.handler(settings);
      await refresh(changeEvent(name, "Create"));
      await fx.put(name, "2");

      fx.redisServer.pause();
      try {
        await assert.rejects(
          refresh(changeEvent(name, "Update")),
          (error: Error) => error instanceof StreamPublishError && /timed out/i.test(error.message),
        );
      } finally {
        fx.redisServer.resume();
      }
    });

    it("throws when Redis is down (no success reported), and publishes once Redis is back, with a new epoch", async () => {
      const { prefix, settings } = setup();
      const name = `${prefix}while_redis_down`;
      await fx.put(name, "1");
      const { refresh, metrics } = fx.handler(settings);
      await refresh(changeEvent(name, "Create"));
      const epochBefore = await fx.redis.get(streamKeys(settings.streamKey).epoch);
      await fx.put(name, "2");
      const event = changeEvent(name, "Update");

      await fx.redisServer.stop();
      try {
        await assert.rejects(refresh(event), StreamPublishError);
        assert.equal(metrics.sum(REFRESH_METRICS.retryableFailures), 1);
        assert.equal(metrics.sum(REFRESH_METRICS.published), 1, "only the first invocation published");
      } finally {
        await fx.redisServer.launch();
      }

      // EventBridge retries the event; the container's connection comes back by itself.
      let result: Awaited<ReturnType<typeof refresh>> | undefined;
      for (let attempt = 0; attempt < 20 && !result; attempt++) {
        result = await refresh(event).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          return undefined;
        });
      }
      assert.ok(result, "the retried event was published once Redis was back");
      assert.deepEqual(
        result.published.map((c) => c.version),
        [2],
      );
      const epochAfter = await fx.redis.get(streamKeys(settings.streamKey).epoch);
      assert.ok(
        epochAfter && epochAfter !== epochBefore,
        "Redis came back empty: a new epoch tells instances to reload",
      );
    });
  });
});
