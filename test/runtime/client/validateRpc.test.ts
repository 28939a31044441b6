import { strict as assert } from "node:assert";
import { status } from "@grpc/grpc-js";
import { z } from "zod";
import { ssmInteger } from "../../../runtime/client";
import { startRefreshServer, streamKeys, toWireChange, defaultStreamKey } from "../../../runtime/protocol";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { putParameter, putParameters } from "./support/parameters";
import { RefreshCaller, statusOf } from "./support/refreshCalls";
import { waitFor } from "./support/waitFor";

const TOKEN = "validate-test-token-0123456789abcdef";
const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
};

describe("the Validate RPC", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  const callers: RefreshCaller[] = [];
  useTestEnvironment(clients, (started) => (env = started));
  afterEach(() => {
    for (const caller of callers.splice(0)) caller.close();
  });

  async function setUp() {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info", "http/timeout_ms": "5000" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      instanceId: "validate-1",
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
    });
    const caller = new RefreshCaller(client.refreshPort as number);
    callers.push(caller);
    const acks = streamKeys(defaultStreamKey(path)).acks;
    await waitFor("the boot acks", async () => (await env.admin.xlen(acks)) === 2);
    return { path, client, caller, acks };
  }

  it("answers ACK and NACK as Refresh would, and leaves the snapshot, the listeners and the acks untouched", async () => {
    const { path, client, caller, acks } = await setUp();
    const valid = toWireChange(await putParameter(env.ssm, `${path}log_level`, "debug"));
    const invalid = toWireChange(await putParameter(env.ssm, `${path}http/timeout_ms`, "5"));
    const snapshot = client.snapshot();
    const heard: string[] = [];
    client.onChange("*", (changes) => heard.push(...changes.map((c) => c.key)));
    client.onEvent((event) => heard.push(`event:${event.type}`));
    const metricsBefore = client.metrics();

    const answer = await caller.validate([valid, invalid], TOKEN);

    assert.equal(answer.instanceId, "validate-1");
    assert.deepEqual(
      answer.results.map((r) => [r.name, r.outcome, r.version]),
      [
        [`${path}log_level`, "ACK", valid.version],
        [`${path}http/timeout_ms`, "NACK", 1],
      ],
    );
    assert.equal(answer.results[1]?.reason, "VALIDATION_FAILED");
    assert.match(answer.results[1]?.detail ?? "", /http\/timeout_ms/);
    assert.equal(client.snapshot(), snapshot, "no swap");
    assert.equal(client.get("log_level"), "info");
    assert.deepEqual(heard, [], "no listener, no event");
    assert.equal(await env.admin.xlen(acks), 2, "no acknowledgement");
    const after = client.metrics();
    assert.deepEqual({ ...after, rpcValidateCalls: 0 }, { ...metricsBefore, rpcValidateCalls: 0 });
    assert.equal(after.rpcValidateCalls, 1);

    // Nothing was remembered either: the same refused version, then offered by Refresh, is refused and reported once.
    const refreshed = await caller.refresh([valid, invalid], TOKEN);
    assert.deepEqual(
      refreshed.results.map((r) => r.outcome),
      ["ACK", "NACK"],
    );
    assert.equal(client.metrics().rejected, 1);
    assert.equal(client.get("log_level"), "debug");
  });

  it("answers about a value SSM does not hold yet, as a pre-flight asks before writing: never NOT_PUBLISHED, while Refresh refuses it", async () => {
    const { path, client, caller, acks } = await setUp();
    const now = Date.now();
    const proposed = (key: string, value: string) => ({
      name: `${path}${key}`,
      operation: "Update",
      version: 2,
      type: "String",
      value,
      modifiedAtMs: now,
      changedAtMs: now,
    });
    const changes = [proposed("log_level", "warn"), proposed("http/timeout_ms", "5")];

    const asked = await caller.validate(changes, TOKEN);
    assert.deepEqual(
      asked.results.map((r) => [r.outcome, r.reason]),
      [
        ["ACK", "NACK_REASON_UNSPECIFIED"],
        ["NACK", "VALIDATION_FAILED"],
      ],
    );
    const forged = await caller.refresh(changes, TOKEN);
    assert.deepEqual(
      forged.results.map((r) => [r.outcome, r.reason]),
      [
        ["NACK", "NOT_PUBLISHED"],
        ["NACK", "NOT_PUBLISHED"],
      ],
    );
    assert.equal(client.get("log_level"), "info");
    assert.equal(await env.admin.xlen(acks), 2, "nothing recorded");
  });

  it("answers a malformed change NACK MALFORMED without reporting it", async () => {
    const { path, client, caller } = await setUp();
    const answer = await caller.validate(
      [{ name: `${path}log_level`, operation: "Update", version: 2, type: "String", modifiedAtMs: 0, changedAtMs: 0 }],
      TOKEN,
    );
    assert.deepEqual(
      answer.results.map((r) => [r.outcome, r.reason]),
      [["NACK", "MALFORMED"]],
    );
    assert.equal(client.metrics().rejected, 0);
  });

  it("refuses a call without the token (UNAUTHENTICATED) and answers nothing else", async () => {
    const { path, client, caller } = await setUp();
    const valid = toWireChange(await putParameter(env.ssm, `${path}log_level`, "debug"));
    await assert.rejects(caller.validate([valid], undefined), (e) => statusOf(e) === status.UNAUTHENTICATED);
    await assert.rejects(
      caller.validate([valid], "another-token-another-token-0000"),
      (e) => statusOf(e) === status.UNAUTHENTICATED,
    );
    assert.equal(client.metrics().rpcUnauthenticated, 2);
    assert.equal(client.metrics().rpcValidateCalls, 0);
  });

  it("is UNIMPLEMENTED on a server without it, as on an instance that predates it", async () => {
    const server = await startRefreshServer(
      { tokens: [TOKEN], host: "127.0.0.1" },
      {
        refresh: () => ({ instanceId: "old", results: [], appliedAtMs: 0 }),
        state: () => ({ instanceId: "old", parameters: [], startedAtMs: 0, lastChangeAtMs: 0, lastStreamId: "" }),
      },
    );
    const caller = new RefreshCaller(server.port);
    callers.push(caller);
    try {
      await assert.rejects(caller.validate([], TOKEN), (e) => statusOf(e) === status.UNIMPLEMENTED);
    } finally {
      await server.stop(100);
    }
  });
});
