import { strict as assert } from "node:assert";
import { status } from "@grpc/grpc-js";
import { z } from "zod";
import { ssmInteger } from "../../../runtime/client";
import { defaultStreamKey, parseAckEntry, streamKeys, toWireChange } from "../../../runtime/protocol";
import { ClientPool, startTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { RefreshCaller, statusOf } from "./support/refreshCalls";
import { waitFor } from "./support/waitFor";

const TOKEN = "refresh-test-token-0123456789abcdef";
const NEXT_TOKEN = "refresh-test-token-rotated-987654321";
const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
};

describe("the refresh RPC", function () {
  let env: TestEnvironment;
  const clients = new ClientPool();
  const callers: RefreshCaller[] = [];

  before(async function () {
    this.timeout(60_000);
    env = await startTestEnvironment();
  });
  afterEach(async () => {
    for (const caller of callers.splice(0)) caller.close();
    await clients.closeAll();
  });
  after(() => env?.dispose());

  async function setUp(options: { strict?: boolean; tokens?: string[] } = {}) {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info", "http/timeout_ms": "5000" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      strict: options.strict ?? false,
      instanceId: "rpc-1",
      refreshServer: { tokens: options.tokens ?? [TOKEN], host: "127.0.0.1" },
    });
    const caller = new RefreshCaller(client.refreshPort as number);
    callers.push(caller);
    return { path, client, caller, streamKey: defaultStreamKey(path) };
  }

  describe("authentication", () => {
    it("refuses a call without a token or with a wrong one, and applies nothing", async () => {
      const { path, client, caller } = await setUp();
      const change = toWireChange(await putParameter(env.ssm, `${path}log_level`, "debug"));
      const snapshot = client.snapshot();

      for (const token of [undefined, "wrong-token-wrong-token-wrong", `${TOKEN}x`]) {
        await assert.rejects(caller.refresh([change], token), (e) => statusOf(e) === status.UNAUTHENTICATED);
      }
      await assert.rejects(caller.state("", undefined), (e) => statusOf(e) === status.UNAUTHENTICATED);

      assert.equal(client.get("log_level"), "info");
      assert.equal(client.snapshot(), snapshot);
      assert.equal(client.metrics().rpcUnauthenticated, 4);
      assert.equal(client.metrics().rpcRefreshCalls, 0);
      assert.equal(client.metrics().applied, 0);
    });

    it("accepts both tokens while one is rotated", async () => {
      const { path, client, caller } = await setUp({ tokens: [TOKEN, NEXT_TOKEN] });
      await caller.refresh([toWireChange(await putParameter(env.ssm, `${path}log_level`, "warn"))], TOKEN);
      await caller.refresh([toWireChange(await putParameter(env.ssm, `${path}log_level`, "error"))], NEXT_TOKEN);
      assert.equal(client.get("log_level"), "error");
    });
  });

  describe("Refresh", () => {
    it("applies what is valid and answers per parameter, in order: ACK or NACK with the reason", async () => {
      const { path, client, caller } = await setUp({ strict: true });
      const good = toWireChange(await putParameter(env.ssm, `${path}log_level`, "debug"));
      const bad = toWireChange(await putParameter(env.ssm, `${path}http/timeout_ms`, "12"));
      const outside = { ...good, name: "/other/beta/log_level" };
      const unknown = { ...good, name: `${path}not/in/schema` };
      const malformed = { ...good, name: `${path}log_level`, value: undefined as unknown as string };

      const response = await caller.refresh([good, bad, outside, unknown, malformed], TOKEN);

      assert.equal(response.instanceId, "rpc-1");
      assert.deepEqual(
        response.results.map((r) => [r.name, r.outcome, r.reason ?? "", r.version]),
        [
          [`${path}log_level`, "ACK", "NACK_REASON_UNSPECIFIED", good.version],
          [`${path}http/timeout_ms`, "NACK", "VALIDATION_FAILED", 1],
          ["/other/beta/log_level", "NACK", "OUTSIDE_PREFIX", 0],
          [`${path}not/in/schema`, "NACK", "UNKNOWN_NAME", 0],
          [`${path}log_level`, "NACK", "MALFORMED", 0],
        ],
      );
      assert.match(response.results[1]!.detail ?? "", /Too small/);
      assert.doesNotMatch(JSON.stringify(response), /"12"/, "a NACK never echoes the value");
      assert.equal(client.get("log_level"), "debug");
      assert.equal(client.get("http/timeout_ms"), 5000);
      assert.equal(client.metrics().rejected, 4);
    });

    it("answers ACK without a new swap for a change the stream already applied, and acknowledges it once", async () => {
      const { path, client, caller, streamKey } = await setUp();
      const change = await putParameter(env.ssm, `${path}log_level`, "warn");
      await publish(env.admin, streamKey, [change]);
      await waitFor("the stream change", () => client.get("log_level") === "warn");
      const swaps = client.metrics().swaps;

      const response = await caller.refresh([toWireChange(change)], TOKEN);

      assert.deepEqual(
        response.results.map((r) => [r.outcome, r.version]),
        [["ACK", change.version]],
      );
      assert.equal(client.metrics().swaps, swaps);
      assert.equal(client.metrics().unchanged, 1);
      await waitFor("acks flushed", () => client.metrics().acksWritten === 3);
      const acks = (await env.admin.xrange(streamKeys(streamKey).acks, "-", "+"))
        .map(([id, f]) => parseAckEntry(id, f))
        .flatMap((p) => (p.ok ? [p.ack] : []));
      assert.deepEqual(
        acks.filter((a) => a.version === change.version && a.name === change.name).map((a) => a.via),
        ["stream"],
      );
    });

    it("refuses an older version after the stream applied a newer one, keeping the newer value", async () => {
      const { path, client, caller, streamKey } = await setUp();
      const older = await putParameter(env.ssm, `${path}log_level`, "debug");
      const newer = await putParameter(env.ssm, `${path}log_level`, "error");
      await publish(env.admin, streamKey, [newer]);
      await waitFor("the newer version", () => client.get("log_level") === "error");

      const response = await caller.refresh([toWireChange(older)], TOKEN);

      assert.deepEqual(
        response.results.map((r) => [r.outcome, r.reason, r.version]),
        [["NACK", "OLDER_VERSION", newer.version]],
      );
      assert.equal(client.get("log_level"), "error");
    });

    it("refuses a change claiming a modification time far in the future, so it cannot wedge the key against later versions", async () => {
      const { path, client, caller, streamKey } = await setUp();
      const forged = {
        ...(await putParameter(env.ssm, `${path}log_level`, "debug")),
        version: 999,
        modifiedAt: Date.now() + 24 * 3_600_000,
      };

      const response = await caller.refresh([toWireChange(forged)], TOKEN);
      assert.deepEqual(
        response.results.map((r) => [r.outcome, r.reason]),
        [["NACK", "MALFORMED"]],
      );
      assert.equal(client.get("log_level"), "info");

      const real = await putParameter(env.ssm, `${path}log_level`, "warn");
      await publish(env.admin, streamKey, [real]);
      await waitFor("the real later version", () => client.get("log_level") === "warn");
    });

    it("reads a SecureString from SSM, and answers FETCH_FAILED when that version cannot be read", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { "db/password": ["one-password", "SecureString"] });
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
      });
      const caller = new RefreshCaller(client.refreshPort as number);
      callers.push(caller);
      const v2 = await putParameter(env.ssm, `${path}db/password`, "two-password", "SecureString");

      const ok = await caller.refresh([toWireChange(v2)], TOKEN);
      const missing = await caller.refresh(
        [toWireChange({ ...v2, version: 42, modifiedAt: v2.modifiedAt + 10 })],
        TOKEN,
      );

      assert.deepEqual(
        ok.results.map((r) => r.outcome),
        ["ACK"],
      );
      assert.equal(client.get("db/password"), "two-password");
      assert.deepEqual(
        missing.results.map((r) => [r.outcome, r.reason]),
        [["NACK", "FETCH_FAILED"]],
      );
      assert.match(missing.results[0]!.detail ?? "", /cannot read .*:42/);
      assert.equal(client.get("db/password"), "two-password");
      assert.equal(client.metrics().fetchFailures, 1);
    });
  });

  describe("State", () => {
    it("answers name → version, when it started, its last change and its last stream id", async () => {
      const { path, client, caller, streamKey } = await setUp();
      const before = await caller.state(path, TOKEN);
      assert.equal(before.lastChangeAtMs, 0);
      const change = await putParameter(env.ssm, `${path}http/timeout_ms`, "800");
      const [id] = await publish(env.admin, streamKey, [change]);
      await waitFor("the change", () => client.get("http/timeout_ms") === 800);

      const state = await caller.state(`${path}http/`, TOKEN);

      assert.equal(state.instanceId, "rpc-1");
      assert.deepEqual(
        state.parameters.map((p) => [p.name, p.version]),
        [[`${path}http/timeout_ms`, change.version]],
      );
      assert.equal(state.startedAtMs, client.state().startedAt);
      assert.ok(state.lastChangeAtMs >= state.startedAtMs);
      assert.equal(state.lastStreamId, id);
      assert.equal((await caller.state("", TOKEN)).parameters.length, 2);
    });
  });
});
