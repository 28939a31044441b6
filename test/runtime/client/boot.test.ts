import { strict as assert } from "node:assert";
import { SSMClient } from "@aws-sdk/client-ssm";
import { z } from "zod";
import {
  ClientOptionsError,
  ConfigLoadError,
  ConfigValidationError,
  createConfigClient,
  ssmBoolean,
  ssmInteger,
  ssmList,
} from "../../../runtime/client";
import { freePort, LocalRedisServer } from "../../../runtime/local/servers";
import { defaultStreamKey, parseAckEntry, streamKeys } from "../../../runtime/protocol";
import { ClientPool, useTestEnvironment, MemoryLogger, uniquePath, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
  "features/new_checkout": ssmBoolean(),
  "cors/allowed_origins": ssmList(z.url()),
  "database/password": z.string().min(8),
  "cache/ttl_seconds": ssmInteger({ min: 0 }).default(30),
};

describe("client start", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  describe("with every parameter present", () => {
    it("loads every parameter under its path, recursively and across pages, decrypted and typed by the schema", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, {
        log_level: "warn",
        "http/timeout_ms": "2500",
        "features/new_checkout": "true",
        "cors/allowed_origins": ["https://a.example,https://b.example", "StringList"],
        "database/password": ["s3cret-passw0rd", "SecureString"],
      });
      // More than one page (moto answers at most 10 per page), nested two levels deep.
      for (let i = 0; i < 14; i++) await putParameter(env.ssm, `${path}extra/deep/k${i}`, `v${i}`);
      // A sibling path that shares the prefix text must not leak in.
      await putParameter(env.ssm, `${path.slice(0, -1)}max/log_level`, "error");

      const client = await clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url, schema });

      assert.equal(client.get("log_level"), "warn");
      assert.equal(client.get("http/timeout_ms"), 2500);
      assert.equal(client.get("features/new_checkout"), true);
      assert.deepEqual(client.get("cors/allowed_origins"), ["https://a.example", "https://b.example"]);
      assert.equal(client.get("database/password"), "s3cret-passw0rd");
      assert.equal(client.get("cache/ttl_seconds"), 30, "an optional key absent from SSM takes its schema default");
      assert.equal(client.get("extra/deep/k13"), "v13", "keys without a schema hold their raw string");
      assert.equal(client.raw("cors/allowed_origins"), "https://a.example,https://b.example");
      assert.equal(client.state().parameters.length, 5 + 14);
      assert.ok(client.state().parameters.every((p) => p.name.startsWith(path) && p.via === "boot"));
    });

    it("hands out one frozen snapshot, the same object on every call until a change", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info", "features/list": ["a,b", "StringList"] });
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        schema: { log_level: schema.log_level, "features/list": ssmList() },
      });

      const snapshot = client.snapshot();
      assert.equal(client.snapshot(), snapshot);
      assert.ok(Object.isFrozen(snapshot));
      assert.ok(Object.isFrozen(snapshot["features/list"]), "parsed values are frozen too");
      assert.throws(() => ((snapshot as Record<string, unknown>).log_level = "debug"));
      assert.equal(client.get("constructor"), undefined, "the snapshot has no prototype to leak through get()");
    });

    it("acknowledges every parameter it loaded, with via boot", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info", other: "x" });
      const streamKey = `acks-test:${path}`;
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        streamKey,
        instanceId: "boot-acks-1",
      });

      await waitFor("two boot acks", async () => (await env.admin.xlen(streamKeys(streamKey).acks)) === 2);
      const acks = (await env.admin.xrange(streamKeys(streamKey).acks, "-", "+")).map(([id, fields]) =>
        parseAckEntry(id, fields),
      );
      assert.deepEqual(acks.map((a) => (a.ok ? [a.ack.instanceId, a.ack.name, a.ack.version, a.ack.via] : a)).sort(), [
        ["boot-acks-1", `${path}log_level`, 1, "boot"],
        ["boot-acks-1", `${path}other`, 1, "boot"],
      ]);
      assert.equal(client.metrics().acksWritten, 2);
    });

    it("holds only the keys of its schema when strict", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info", stray: "x" });
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        schema: { log_level: schema.log_level },
        strict: true,
      });
      assert.equal(client.get("stray"), undefined);
      assert.deepEqual(
        client.state().parameters.map((p) => p.key),
        ["log_level"],
      );
    });
  });

  describe("with broken configuration", () => {
    it("refuses to start, naming every missing required key and every invalid value", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, {
        log_level: "verbose",
        "http/timeout_ms": "5000",
        "features/new_checkout": "yes",
      });
      const logger = new MemoryLogger();
      const error = await createConfigClient({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        schema,
        logger,
        instanceId: "refused-1",
      }).then(
        () => assert.fail("the client started on broken configuration"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigValidationError, String(error));
      assert.deepEqual(
        error.problems.map((p) => [p.key, p.problem]),
        [
          ["cors/allowed_origins", "missing"],
          ["database/password", "missing"],
          ["features/new_checkout", "invalid"],
          ["log_level", "invalid"],
        ],
      );
      assert.match(error.message, /cors\/allowed_origins \(.*\/cors\/allowed_origins\): missing \(required\)/);
      assert.match(error.message, /log_level .*: invalid: /);
      assert.doesNotMatch(error.message, /verbose/, "the message never carries a value");
      // The refused client closed its Redis connections (the server notices the close a moment later).
      await waitFor(
        "the refused client's connections to close",
        async () => !((await env.admin.client("LIST")) as string).includes("config-refresh:refused-1"),
      );
    });

    it("refuses options it cannot use, naming each", async () => {
      const error = await createConfigClient({
        parameterPath: "shop/beta",
        ssm: env.ssm,
        redis: "http://nope",
        refreshServer: { tokens: ["short"] },
        registration: { client: env.serviceDiscovery, serviceId: "srv-1", attributes: { AWS_INSTANCE_PORT: "1" } },
      }).then(
        () => assert.fail("started with bad options"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ClientOptionsError, String(error));
      assert.match(error.message, /parameterPath: must look like \/<app>\/<env>\//);
      assert.match(error.message, /redis: /);
      assert.match(error.message, /refreshServer\.tokens/);
      assert.match(error.message, /registration\.attributes.*AWS_/);
    });

    it("fails with a load error when SSM cannot be reached", async () => {
      const unreachable = new SSMClient({
        endpoint: `http://127.0.0.1:${await freePort()}`,
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        maxAttempts: 1,
      });
      try {
        await assert.rejects(
          createConfigClient({
            parameterPath: uniquePath(),
            ssm: unreachable,
            redis: env.redis.url,
            logger: new MemoryLogger(),
          }),
          ConfigLoadError,
        );
      } finally {
        unreachable.destroy();
      }
    });
  });

  describe("closing", () => {
    it("reports closed once, as its last event, when close() has finished", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info" });
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        schema: { log_level: schema.log_level },
      });
      const events: string[] = [];
      client.onEvent((event) => events.push(event.type));
      await Promise.all([client.close(), client.close()]);
      assert.equal(events[events.length - 1], "closed", "emitted before close() resolves, after everything else");
      await client.close();
      assert.deepEqual(
        events.filter((type) => type === "closed"),
        ["closed"],
        "once, however often close() is called",
      );
    });
  });

  describe("while Redis is unreachable", () => {
    it("starts from SSM, then records the stream position and reloads once Redis answers", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info" });
      const port = await freePort();
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: `redis://127.0.0.1:${port}`,
        schema: { log_level: schema.log_level },
        stream: { startTimeoutMs: 300 },
        resetReloadWindowMs: 200,
      });
      assert.equal(client.get("log_level"), "info");
      assert.equal(client.state().lastStreamId, "", "no stream position yet");

      // Changed while the instance could not listen: only the reload after the resync can bring it.
      const missed = await putParameter(env.ssm, `${path}log_level`, "debug");
      const late = await LocalRedisServer.start(port);
      try {
        await waitFor("the resync reload", () => client.get("log_level") === "debug");
        assert.ok(client.metrics().reloads >= 1);
        // And it listens from there on.
        const next = await putParameter(env.ssm, `${path}log_level`, "error");
        const admin = new (await import("ioredis")).Redis(late.url);
        try {
          await publish(admin, defaultStreamKey(path), [next]);
        } finally {
          admin.disconnect();
        }
        await waitFor("the published change", () => client.get("log_level") === "error");
        assert.ok(missed.version < next.version);
      } finally {
        await client.close();
        await late.dispose();
      }
    });
  });
});
