import { strict as assert } from "node:assert";
import { GetParameterHistoryCommand } from "@aws-sdk/client-ssm";
import { z } from "zod";
import { createConfigClient, type ConfigClient, type ConfigSchema } from "../../../runtime/client";
import type { RevertWrite } from "../../../runtime/lambda";
import { REVERT_METRICS } from "../../../runtime/lambda/revert";
import { startRefreshServer, type RefreshRequest } from "../../../runtime/protocol";
import { MemoryLogger } from "../client/support/environment";
import { changeEvent } from "./support/events";
import { RefreshFixture } from "./support/refreshFixture";

const LEVELS = z.enum(["debug", "info", "warn", "error"]);
const WIDER = z.enum(["debug", "info", "warn", "error", "trace"]);

describe("a value the whole fleet refuses", function () {
  this.timeout(60_000);
  let fx: RefreshFixture;
  const stoppers: (() => Promise<void>)[] = [];
  before(async function () {
    fx = await RefreshFixture.start();
  });
  after(() => fx?.close());
  afterEach(async () => {
    await Promise.all(stoppers.splice(0).map((stop) => stop()));
    await fx.closeHandlers();
  });

  const setup = (revertRefused: boolean) => fx.fanOutTarget(() => ({ revertRefused }));

  /** A real client serving the refresh RPC, registered in Cloud Map. */
  async function instance(
    prefix: string,
    token: string,
    serviceId: string,
    id: string,
    schema: ConfigSchema,
  ): Promise<ConfigClient> {
    const client = await createConfigClient({
      parameterPath: prefix,
      ssm: fx.ssm,
      redis: fx.redisServer.url,
      schema,
      instanceId: id,
      logger: new MemoryLogger(),
      refreshServer: { tokens: [token], host: "127.0.0.1" },
      stream: { blockMs: 200 },
    });
    stoppers.push(() => client.close());
    await fx.registerInstance(serviceId, id, {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(client.refreshPort),
    });
    return client;
  }

  /** An instance that refuses every change for its schema, holding version 1. */
  async function refusingInstance(
    token: string,
    serviceId: string,
    id: string,
    beforeAnswer = async () => undefined,
  ): Promise<void> {
    const server = await startRefreshServer(
      { tokens: [token], host: "127.0.0.1" },
      {
        refresh: async (request: RefreshRequest) => {
          await beforeAnswer();
          return {
            instanceId: id,
            appliedAtMs: Date.now(),
            results: request.changes.map((c) => ({
              name: c.name,
              outcome: "NACK" as const,
              version: 1,
              reason: "VALIDATION_FAILED" as const,
              detail: "log_level: refused",
            })),
          };
        },
        state: () => ({ instanceId: id, parameters: [], startedAtMs: 0, lastChangeAtMs: 0, lastStreamId: "" }),
      },
    );
    stoppers.push(() => server.stop(100));
    await fx.registerInstance(serviceId, id, {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(server.port),
    });
  }

  async function history(name: string) {
    const answer = await fx.ssm.send(
      new GetParameterHistoryCommand({ Name: name, WithDecryption: true, MaxResults: 50 }),
    );
    return answer.Parameters ?? [];
  }

  it("is reverted in SSM within one invocation, to the value the fleet holds, and the fleet then holds the revert", async () => {
    const { prefix, token, serviceId, settings } = await setup(true);
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    const clients = await Promise.all(
      ["i-1", "i-2", "i-3"].map((id) => instance(prefix, token, serviceId, id, { log_level: LEVELS })),
    );
    await fx.put(name, "loud");
    const written: RevertWrite[] = [];
    const { refresh, metrics, logger } = fx.handler(settings, {
      onRevertWritten: async (write) => void written.push(write),
    });

    const result = await refresh(changeEvent(name, "Update"));

    assert.deepEqual(
      result.reverts?.map((r) => [
        r.name,
        r.action,
        r.refusedVersion,
        r.restoredVersion,
        r.revertVersion,
        r.refusedBy,
        r.answered,
      ]),
      [[name, "reverted", 2, 1, 3, 3, 3]],
    );
    const versions = await history(name);
    const revert = versions.find((v) => v.Version === 3);
    assert.equal(revert?.Value, "info");
    assert.match(
      revert?.Description ?? "",
      /^config-refresh revert: version 2 refused by 3 of 3 instances \(log_level: .*\); value of version 1 restored$/,
    );
    assert.doesNotMatch(revert?.Description ?? "", /loud/);
    assert.deepEqual(
      written.map((w) => [w.name, w.version]),
      [[name, 3]],
    );
    assert.equal(metrics.sum(REVERT_METRICS.reverts), 1);
    assert.ok(logger.lines.some((l) => l.message === "reverted a value the whole fleet refused"));

    // The revert's own change event (AWS emits it; here the test sends it) brings the fleet to version 3.
    const next = await refresh(changeEvent(name, "Update"));
    assert.deepEqual(
      next.instances.map((i) => i.outcome),
      ["ACK", "ACK", "ACK"],
    );
    assert.deepEqual(next.reverts, []);
    for (const client of clients) {
      assert.equal(client.get("log_level"), "info");
      assert.equal(client.state().parameters.find((p) => p.name === name)?.version, 3);
      assert.deepEqual(client.state().heldBack, []);
    }
  });

  it("is never reverted when part of the fleet accepts it (two schemas during a deploy)", async () => {
    const { prefix, token, serviceId, settings } = await setup(true);
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    await instance(prefix, token, serviceId, "old-1", { log_level: LEVELS });
    await instance(prefix, token, serviceId, "new-1", { log_level: WIDER });
    await fx.put(name, "trace");
    const { refresh, metrics } = fx.handler(settings);

    const result = await refresh(changeEvent(name, "Update"));

    assert.deepEqual(
      result.reverts?.map((r) => [r.action, r.refusedBy, r.answered]),
      [["mixed", 1, 2]],
    );
    assert.equal((await history(name)).length, 2, "nothing written");
    assert.equal(metrics.sum(REVERT_METRICS.mixedRefusals), 1);
  });

  it("does not overwrite a write that lands between the refusal and the revert", async () => {
    const { prefix, token, serviceId, settings } = await setup(true);
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    await fx.put(name, "loud");
    // An instance that refuses, while someone fixes the value in SSM before it answers.
    await refusingInstance(token, serviceId, "slow-1", async () => void (await fx.put(name, "warn")));
    const { refresh } = fx.handler(settings);

    const result = await refresh(changeEvent(name, "Update"));

    assert.deepEqual(
      result.reverts?.map((r) => r.action),
      ["superseded"],
    );
    const versions = await history(name);
    assert.equal(versions.length, 3);
    assert.equal(versions.at(-1)?.Value, "warn", "the later write stands");
  });

  it("never reverts a SecureString, only reports it", async () => {
    const { prefix, token, serviceId, settings } = await setup(true);
    const name = `${prefix}db/password`;
    await fx.put(name, "long-enough-secret", "SecureString");
    await instance(prefix, token, serviceId, "i-1", { "db/password": z.string().min(8) });
    await fx.put(name, "short", "SecureString");
    const { refresh, metrics } = fx.handler(settings);

    const result = await refresh(changeEvent(name, "Update", { type: "SecureString" }));

    assert.deepEqual(
      result.reverts?.map((r) => r.action),
      ["secure-string"],
    );
    assert.equal((await history(name)).length, 2);
    assert.equal(metrics.sum(REVERT_METRICS.unrevertedRefusals), 1);
  });

  it("never reverts a revert the fleet refuses too", async () => {
    const { prefix, token, serviceId, settings } = await setup(true);
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    await fx.put(name, "loud");
    await refusingInstance(token, serviceId, "refuses-all-1");
    const { refresh } = fx.handler(settings);
    assert.deepEqual(
      (await refresh(changeEvent(name, "Update"))).reverts?.map((r) => [r.action, r.revertVersion]),
      [["reverted", 3]],
    );

    const again = await refresh(changeEvent(name, "Update"));

    assert.deepEqual(
      again.reverts?.map((r) => [r.action, r.refusedVersion]),
      [["revert-of-revert", 3]],
    );
    assert.equal((await history(name)).length, 3, "nothing more written");
  });

  it("writes nothing when reverting is off, and reports it", async () => {
    const { prefix, token, serviceId, settings } = await setup(false);
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    await instance(prefix, token, serviceId, "i-1", { log_level: LEVELS });
    await fx.put(name, "loud");
    const calls = fx.ssmCalls.length;
    const { refresh } = fx.handler(settings);

    const result = await refresh(changeEvent(name, "Update"));

    assert.deepEqual(
      result.reverts?.map((r) => r.action),
      ["disabled"],
    );
    assert.equal(fx.countCalls("PutParameterCommand", calls), 0);
    assert.equal(fx.countCalls("GetParameterHistoryCommand", calls), 0);
  });
});
