import { strict as assert } from "node:assert";
import { SSMClient } from "@aws-sdk/client-ssm";
import { z } from "zod";
import type { ClientEvent } from "../../../runtime/client";
import { emulatorClientConfig } from "../../../runtime/local/servers";
import { defaultStreamKey, type ParameterChange } from "../../../runtime/protocol";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

const schema = { log_level: z.enum(["debug", "info", "warn", "error"]) };

/** A real SSM client on moto whose `GetParametersByPath` waits while the gate is held: a load in flight, on cue. */
function gatedSsm(env: TestEnvironment): { ssm: SSMClient; hold(): () => void; held: () => boolean } {
  const ssm = new SSMClient(emulatorClientConfig(env.moto.endpoint));
  let gate: Promise<void> | undefined;
  let waiting = false;
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "GetParametersByPathCommand" && gate) {
        waiting = true;
        await gate;
        waiting = false;
      }
      return next(args);
    },
    { step: "initialize", name: "loadGate" },
  );
  return {
    ssm,
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    held: () => waiting,
  };
}

/** An entry written to the stream by hand (`redis-cli XADD`): a revision SSM never had, modified later than SSM's. */
function handWritten(name: string, value: string, aheadMs: number): ParameterChange {
  const now = Date.now();
  return { name, operation: "Update", version: 99, type: "String", value, modifiedAt: now + aheadMs, changedAt: now };
}

describe("authoritative reloads", function () {
  let env: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (ready) => (env = ready));

  it("applies an entry written by hand with a newer modifiedAt than SSM's, then replaces it on the next reload with SSM's", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      reloadIntervalMs: 1_000,
    });
    const seen: string[] = [];
    client.onChange("log_level", (_changes, cfg) => void seen.push(cfg.log_level));
    const ssmVersion = client.state().parameters[0]?.version;

    await publish(env.admin, defaultStreamKey(path), [handWritten(`${path}log_level`, "debug", 10 * 60_000)]);
    await waitFor("the hand-written entry, then SSM's value back", () => seen.join() === "debug,info", 6_000);
    assert.equal(client.get("log_level"), "info");
    assert.equal(client.state().parameters[0]?.version, ssmVersion, "SSM's revision is held again");
    assert.equal(client.state().parameters[0]?.via, "reload");
  });

  it("keeps a change applied while the reload's load was in flight, and replaces it on the reload after", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const gated = gatedSsm(env);
    try {
      const client = await clients.start({ parameterPath: path, ssm: gated.ssm, redis: env.redis.url, schema });
      const events: ClientEvent[] = [];
      client.onEvent((e) => events.push(e));

      const release = gated.hold();
      const reloading = client.reload();
      await waitFor("the reload's load in flight", gated.held);
      await publish(env.admin, defaultStreamKey(path), [handWritten(`${path}log_level`, "warn", 60_000)]);
      await waitFor("the change applied during the load", () => client.get("log_level") === "warn");
      release();
      const first = await reloading;
      assert.equal(first.applied, 0, "the load predates the change: it is kept");
      assert.equal(client.get("log_level"), "warn");

      const second = await client.reload();
      assert.equal(second.applied, 1, "applied before this load began: SSM's revision wins");
      assert.equal(client.get("log_level"), "info");
      assert.equal(events.filter((e) => e.type === "reload").length, 2);
    } finally {
      gated.ssm.destroy();
    }
  });
});
