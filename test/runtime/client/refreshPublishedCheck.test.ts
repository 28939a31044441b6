import { strict as assert } from "node:assert";
import { z } from "zod";
import { defaultStreamKey, streamKeys, toWireChange } from "../../../runtime/protocol";
import { ClientPool, startTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";

const TOKEN = "refresh-test-token-0123456789abcdef";
const schema = { log_level: z.enum(["debug", "info", "warn", "error"]) };

describe("a Refresh call is checked against what the pipeline published", function () {
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

  async function setUp() {
    const path = uniquePath();
    const initial = await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      instanceId: "check-1",
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
      // The stream reader would apply the published entries itself: these tests want the RPC alone.
      stream: { blockMs: 60_000 },
    });
    const caller = new RefreshCaller(client.refreshPort as number);
    callers.push(caller);
    return { path, client, caller, streamKey: defaultStreamKey(path), held: initial.log_level! };
  }

  it("answers NACK NOT_PUBLISHED to a value that neither the stream nor SSM holds, and changes nothing", async () => {
    const { path, client, caller, held } = await setUp();
    const forged = {
      ...toWireChange(held),
      operation: "Update",
      version: held.version + 1,
      value: "debug",
      modifiedAtMs: Date.now(),
    };

    const response = await caller.refresh([forged], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.name, r.outcome, r.reason, r.version]),
      [[`${path}log_level`, "NACK", "NOT_PUBLISHED", held.version]],
    );
    assert.match(response.results[0]!.detail ?? "", /neither the stream nor SSM holds/);
    assert.doesNotMatch(JSON.stringify(response), /debug/, "a NACK never echoes the value");
    assert.equal(client.get("log_level"), "info");
    assert.equal(client.metrics().swaps, 0);
  });

  it("refuses a change that is not the stream entry it names", async () => {
    const { path, client, caller, streamKey } = await setUp();
    const real = await putParameter(env.ssm, `${path}log_level`, "warn");
    const [entryId] = await publish(env.admin, streamKey, [real]);
    const forged = { ...toWireChange(real), version: real.version + 1, value: "debug", streamId: entryId! };

    const response = await caller.refresh([forged], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.reason]),
      [["NACK", "NOT_PUBLISHED"]],
    );
    assert.match(response.results[0]!.detail ?? "", new RegExp(`the stream entry ${entryId} holds another change`));
    assert.notEqual(client.get("log_level"), "debug");
  });

  it("still applies the real revision after a forged one of the same version was refused", async () => {
    const { path, client, caller, streamKey } = await setUp();
    const real = await putParameter(env.ssm, `${path}log_level`, "warn");
    const [entryId] = await publish(env.admin, streamKey, [real]);
    await caller.refresh([{ ...toWireChange(real), value: "error" }], TOKEN);

    const response = await caller.refresh([{ ...toWireChange(real), streamId: entryId! }], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.version]),
      [["ACK", real.version]],
    );
    assert.equal(client.get("log_level"), "warn");
  });

  it("applies a change that is the stream entry it names", async () => {
    const { path, client, caller, streamKey } = await setUp();
    const real = await putParameter(env.ssm, `${path}log_level`, "error");
    const [entryId] = await publish(env.admin, streamKey, [real]);

    const response = await caller.refresh([{ ...toWireChange(real), streamId: entryId! }], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.version]),
      [["ACK", real.version]],
    );
    assert.equal(client.get("log_level"), "error");
  });

  it("checks against SSM when the named entry was trimmed away", async () => {
    const { path, client, caller, streamKey } = await setUp();
    const real = await putParameter(env.ssm, `${path}log_level`, "debug");
    const [entryId] = await publish(env.admin, streamKey, [real]);
    await env.admin.xdel(streamKeys(streamKey).stream, entryId!);

    const response = await caller.refresh([{ ...toWireChange(real), streamId: entryId! }], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.version]),
      [["ACK", real.version]],
    );
    assert.equal(client.get("log_level"), "debug");
  });

  it("refuses a Delete of a parameter that SSM still holds", async () => {
    const { caller, client, held } = await setUp();
    const forged = {
      ...toWireChange(held),
      operation: "Delete",
      value: undefined as unknown as string,
      modifiedAtMs: Date.now(),
    };
    delete (forged as { value?: string }).value;

    const response = await caller.refresh([forged], TOKEN);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.reason]),
      [["NACK", "NOT_PUBLISHED"]],
    );
    assert.equal(client.get("log_level"), "info");
  });
});
