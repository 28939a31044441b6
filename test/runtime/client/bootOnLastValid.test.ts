import { strict as assert } from "node:assert";
import { z } from "zod";
import { ConfigValidationError, createConfigClient, ssmInteger, type ClientEvent } from "../../../runtime/client";
import { defaultStreamKey, parseAckEntry, parseRefusalEntry, streamKeys } from "../../../runtime/protocol";
import { ClientPool, MemoryLogger, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameter } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";
import { waitFor } from "./support/waitFor";

const TOKEN = "held-back-test-token-0123456789abcdef";
const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
};

describe("a start while SSM holds a value the schema refuses", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  it("serves the newest valid version of the history, reports the key held back, and a valid write clears it", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}http/timeout_ms`, "5000");
    await putParameter(env.ssm, `${path}log_level`, "info");
    await putParameter(env.ssm, `${path}log_level`, "warn"); // v2: the last valid one
    await putParameter(env.ssm, `${path}log_level`, "verbose"); // v3: refused
    await putParameter(env.ssm, `${path}log_level`, "loud"); // v4: refused, SSM's current
    const events: ClientEvent[] = [];
    const streamKey = defaultStreamKey(path);
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      instanceId: "held-back-1",
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
    });
    client.onEvent((event) => events.push(event));

    assert.equal(client.get("log_level"), "warn");
    assert.equal(client.get("http/timeout_ms"), 5000);
    assert.deepEqual(
      client.state().heldBack.map((h) => [h.key, h.version, h.refusedVersion]),
      [["log_level", 2, 4]],
    );
    assert.match(client.state().heldBack[0]?.detail ?? "", /^log_level: /);
    assert.doesNotMatch(client.state().heldBack[0]?.detail ?? "", /loud/, "the reason never carries the value");
    assert.equal(client.metrics().heldBack, 1);
    const held = client.state().parameters.find((p) => p.key === "log_level");
    assert.equal(held?.version, 2);

    const caller = new RefreshCaller(client.refreshPort as number);
    try {
      const state = await caller.state("", TOKEN);
      assert.deepEqual(
        state.heldBack?.map((h) => [h.name, h.version, h.refusedVersion]),
        [[`${path}log_level`, 2, 4]],
      );
      // It acknowledged what it holds, not what SSM holds, and recorded its refusal of SSM's current version.
      await waitFor(
        "the boot acks and the refusal",
        async () => (await env.admin.xlen(streamKeys(streamKey).acks)) === 3,
      );
      const entries = await env.admin.xrange(streamKeys(streamKey).acks, "-", "+");
      const acks = entries.map(([id, f]) => parseAckEntry(id, f));
      assert.ok(acks.some((a) => a.ok && a.ack.name === `${path}log_level` && a.ack.version === 2));
      const refusals = entries.flatMap(([id, f]) => {
        const parsed = parseRefusalEntry(id, f);
        return parsed.ok ? [parsed.refusal] : [];
      });
      assert.deepEqual(
        refusals.map((r) => [r.name, r.version, r.reason, r.via]),
        [[`${path}log_level`, 4, "VALIDATION_FAILED", "boot"]],
      );

      // The refused version, delivered again by the stream or a reload, is not reported twice.
      await client.reload();
      assert.equal(client.metrics().rejected, 0);
      assert.equal(client.get("log_level"), "warn");

      const fixed = await putParameter(env.ssm, `${path}log_level`, "error");
      await publish(env.admin, streamKey, [fixed]);
      await waitFor("the valid version", () => client.get("log_level") === "error");
      assert.deepEqual(client.state().heldBack, []);
      assert.deepEqual((await caller.state("", TOKEN)).heldBack, []);
    } finally {
      caller.close();
    }
  });

  it("logs the held-back key at start, naming the version held and the one refused", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}http/timeout_ms`, "5000");
    await putParameter(env.ssm, `${path}log_level`, "info");
    await putParameter(env.ssm, `${path}log_level`, "shouting");
    const logger = new MemoryLogger();
    await clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url, schema, logger });
    const line = logger.lines.find((l) => l.attributes.event === "held-back");
    assert.equal(line?.level, "warn");
    assert.equal(line?.attributes.version, 1);
    assert.equal(line?.attributes.refusedVersion, 2);
    assert.equal(line?.attributes.name, `${path}log_level`);
    assert.doesNotMatch(JSON.stringify(line), /shouting/);
  });

  it("falls back across history pages and on a SecureString, decrypted", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}http/timeout_ms`, "5000");
    await putParameter(env.ssm, `${path}log_level`, "debug");
    for (let i = 0; i < 55; i++) await putParameter(env.ssm, `${path}log_level`, `bad-${i}`); // more than one page of 50
    await putParameter(env.ssm, `${path}db/password`, "long-enough-secret", "SecureString");
    await putParameter(env.ssm, `${path}db/password`, "short", "SecureString");
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { ...schema, "db/password": z.string().min(8) },
    });
    assert.equal(client.get("log_level"), "debug");
    assert.equal(client.get("db/password"), "long-enough-secret");
    assert.deepEqual(
      client.state().heldBack.map((h) => [h.key, h.version, h.refusedVersion]),
      [
        ["db/password", 1, 2],
        ["log_level", 1, 56],
      ],
    );
  });

  it("still refuses to start, naming the key, when no version of the history passes the schema", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}http/timeout_ms`, "5000");
    await putParameter(env.ssm, `${path}log_level`, "verbose");
    await putParameter(env.ssm, `${path}log_level`, "loud");
    const error = await createConfigClient({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      logger: new MemoryLogger(),
    }).then(
      () => assert.fail("started with no valid version"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigValidationError, String(error));
    assert.deepEqual(
      error.problems.map((p) => [p.key, p.problem]),
      [["log_level", "invalid"]],
    );
    assert.match(error.message, /log_level .*none of the 1 earlier versions of its history passes the schema/);
  });

  it("still refuses to start when a required key is missing", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}log_level`, "info");
    const error = await createConfigClient({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      logger: new MemoryLogger(),
    }).then(
      () => assert.fail("started without a required key"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigValidationError);
    assert.deepEqual(
      error.problems.map((p) => [p.key, p.problem]),
      [["http/timeout_ms", "missing"]],
    );
  });

  it("refuses to start on a refused value with bootOnLastValid false, as before", async () => {
    const path = uniquePath();
    await putParameter(env.ssm, `${path}http/timeout_ms`, "5000");
    await putParameter(env.ssm, `${path}log_level`, "info");
    await putParameter(env.ssm, `${path}log_level`, "loud");
    const error = await createConfigClient({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      logger: new MemoryLogger(),
      bootOnLastValid: false,
    }).then(
      () => assert.fail("started on a refused value"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigValidationError);
    assert.deepEqual(
      error.problems.map((p) => [p.key, p.problem]),
      [["log_level", "invalid"]],
    );
    assert.doesNotMatch(error.message, /history/);
  });
});
