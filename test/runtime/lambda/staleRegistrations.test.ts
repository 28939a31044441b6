import { strict as assert } from "node:assert";
import { ListInstancesCommand } from "@aws-sdk/client-servicediscovery";
import { REFRESH_METRICS, type InstanceRefreshResult } from "../../../runtime/lambda";
import { StaleRegistrations } from "../../../runtime/lambda/fanout";
import { streamKeys } from "../../../runtime/protocol";
import { changeEvent } from "./support/events";
import { startTestInstance, type TestInstance } from "./support/instances";
import { RefreshFixture } from "./support/refreshFixture";
import { RefreshServerFleet } from "./support/refreshServerFleet";

describe("refresh Lambda: stale registrations (moto Cloud Map, own redis-server, real gRPC)", function () {
  this.timeout(60_000);
  let fx: RefreshFixture;
  const stoppers: (() => Promise<void>)[] = [];

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  after(async () => fx?.close());
  afterEach(async () => {
    await Promise.all(stoppers.splice(0).map((stop) => stop()));
    await fx.closeHandlers();
  });

  const setup = (stale: { afterInvocations: number; afterMs: number }) =>
    fx.fanOutTarget((_prefix, serviceId) => ({
      serviceId,
      rpcDeadlineMs: 1_000,
      staleAfterInvocations: stale.afterInvocations,
      staleAfterMs: stale.afterMs,
    }));

  async function registered(serviceId: string): Promise<string[]> {
    const answer = await fx.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }));
    return (answer.Instances ?? []).map((instance) => instance.Id ?? "").sort();
  }

  async function liveInstance(serviceId: string, id: string, token: string): Promise<TestInstance> {
    const started = await startTestInstance(id, [token]);
    stoppers.push(() => started.stop());
    await fx.registerInstance(serviceId, id, {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(started.port),
    });
    return started;
  }

  it("deregisters an instance killed with SIGKILL on the 3rd invocation in a row that finds it unreachable, then calls it no more", async () => {
    const { prefix, token, serviceId, settings } = await setup({ afterInvocations: 3, afterMs: 1 });
    const live = await liveInstance(serviceId, "i-live", token);
    const fleet = RefreshServerFleet.start(1);
    stoppers.push(() => fleet.stop());
    const ports = await fleet.startServers(["i-killed"], token);
    await fx.registerInstance(serviceId, "i-killed", {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(ports.get("i-killed")),
    });
    const name = `${prefix}log_level`;
    const { refresh, metrics, logger } = fx.handler(settings);
    const change = async (value: string) => {
      await fx.put(name, value);
      return refresh(changeEvent(name, "Update"));
    };
    const outcomeOf = (result: { instances: InstanceRefreshResult[] }, id: string) =>
      result.instances.find((i) => i.instanceId === id);

    const before = await change("1");
    assert.equal(outcomeOf(before, "i-killed")?.outcome, "ACK");
    await fleet.kill("i-killed");

    for (const [invocation, value] of ["2", "3"].entries()) {
      const result = await change(value);
      assert.equal(outcomeOf(result, "i-killed")?.unreachableReason, "no-answer");
      assert.deepEqual(result.deregistered, [], `not yet after ${invocation + 1} unreachable invocation(s)`);
      assert.deepEqual(await registered(serviceId), ["i-killed", "i-live"]);
    }
    const third = await change("4");
    assert.equal(outcomeOf(third, "i-killed")?.outcome, "unreachable");
    assert.deepEqual(third.deregistered, ["i-killed"]);
    assert.deepEqual(await registered(serviceId), ["i-live"]);
    assert.equal(logger.find("stale registration deregistered")[0]?.attributes.instanceId, "i-killed");
    assert.equal(metrics.sum(REFRESH_METRICS.deregistered), 1);

    const after = await change("5");
    assert.deepEqual(
      after.instances.map((i) => [i.instanceId, i.outcome]),
      [["i-live", "ACK"]],
      "the dead instance is no longer called",
    );
    assert.equal(live.calls.length, 5);
    assert.deepEqual(await fx.redis.hgetall(streamKeys(settings.streamKey).unreachable), {}, "nothing left counted");
  });

  it("does not count a replaced instance on a reused address as acknowledged, and deregisters its stale registration", async () => {
    const { prefix, token, serviceId, settings } = await setup({ afterInvocations: 1, afterMs: 0 });
    const replacement = await liveInstance(serviceId, "i-new", token);
    // The task that had this address was killed; a new task got the address (awsvpc reuses ENI addresses).
    await fx.registerInstance(serviceId, "i-old", {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(replacement.port),
    });
    const name = `${prefix}feature`;
    await fx.put(name, "on");
    const { refresh, metrics } = fx.handler(settings);

    const result = await refresh(changeEvent(name, "Create"));

    const old = result.instances.find((i) => i.instanceId === "i-old");
    assert.equal(old?.outcome, "unreachable");
    assert.equal(old?.unreachableReason, "other-instance");
    assert.equal(old?.answeredAs, "i-new");
    assert.match(old?.error ?? "", /answered as instance i-new/);
    assert.equal(result.instances.find((i) => i.instanceId === "i-new")?.outcome, "ACK");
    assert.equal(metrics.sum(REFRESH_METRICS.acked), 1, "only the instance that answered as itself is acknowledged");
    assert.equal(metrics.sum(REFRESH_METRICS.otherInstanceAnswers), 1);
    assert.deepEqual(result.deregistered, ["i-old"]);
    assert.deepEqual(await registered(serviceId), ["i-new"]);
  });

  describe("the bound (counts in Redis, clock of the test)", () => {
    const MINUTE = 60_000;
    let clock = 0;
    const result = (
      instanceId: string,
      kind: "ACK" | "no-answer" | "refused" | "other-instance",
    ): InstanceRefreshResult => ({
      instanceId,
      address: `127.0.0.1:${instanceId.length}`,
      results: [],
      attempts: 1,
      latencyMs: 1,
      ...(kind === "ACK" ? { outcome: "ACK" } : { outcome: "unreachable", unreachableReason: kind }),
    });

    async function tracker(
      afterInvocations: number,
      afterMs: number,
    ): Promise<{ stale: StaleRegistrations; serviceId: string; key: string }> {
      const { serviceId } = await fx.createService();
      for (const id of ["i-dead", "i-ok", "i-ok2", "i-ok3", "i-x", "i-y"])
        await fx.registerInstance(serviceId, id, { AWS_INSTANCE_IPV4: "127.0.0.1" });
      const key = streamKeys(`config-refresh:{${fx.newPrefix()}}`).unreachable;
      clock = 1_700_000_000_000;
      const redis = fx.newRedis();
      const stale = new StaleRegistrations({
        redis: async () => redis,
        key,
        serviceDiscovery: fx.serviceDiscovery,
        serviceId,
        afterInvocations,
        afterMs,
        now: () => clock,
      });
      return { stale, serviceId, key };
    }

    it("needs both 3 invocations in a row and 5 minutes since the first: a burst of invocations is not enough", async () => {
      const { stale, serviceId } = await tracker(3, 5 * MINUTE);
      const start = clock;
      for (const at of [0, 1_000, 2_000, 5 * MINUTE - 1]) {
        clock = start + at;
        const review = await stale.review([result("i-dead", "no-answer"), result("i-ok", "ACK")]);
        assert.deepEqual(review.deregistered, [], `not yet at +${at} ms`);
      }
      clock = start + 5 * MINUTE;
      const review = await stale.review([result("i-dead", "no-answer"), result("i-ok", "ACK")]);
      assert.deepEqual(
        review.deregistered.map((d) => [d.instanceId, d.invocations]),
        [["i-dead", 5]],
      );
      assert.ok(!(await registered(serviceId)).includes("i-dead"));
    });

    it("starts the count again when the instance answers", async () => {
      const { stale, key } = await tracker(3, 0);
      await stale.review([result("i-dead", "no-answer"), result("i-ok", "ACK")]);
      await stale.review([result("i-dead", "no-answer"), result("i-ok", "ACK")]);
      await stale.review([result("i-dead", "ACK"), result("i-ok", "ACK")]);
      assert.deepEqual(await fx.redis.hgetall(key), {});
      const review = await stale.review([result("i-dead", "no-answer"), result("i-ok", "ACK")]);
      assert.deepEqual(review.deregistered, []);
    });

    it("counts nothing when fewer instances answered than did not (the function's own network is suspect)", async () => {
      const { stale, key, serviceId } = await tracker(1, 0);
      const review = await stale.review([
        result("i-dead", "no-answer"),
        result("i-x", "no-answer"),
        result("i-ok", "ACK"),
      ]);
      assert.deepEqual(review.deregistered, []);
      assert.match(review.suspended ?? "", /2 of 3 instances did not answer/);
      assert.deepEqual(await fx.redis.hgetall(key), {});
      assert.equal((await registered(serviceId)).length, 6);
    });

    it("never counts an instance that answered with a refusal (a token being rotated)", async () => {
      const { stale, key } = await tracker(1, 0);
      const review = await stale.review([result("i-dead", "refused"), result("i-ok", "ACK")]);
      assert.deepEqual([review.deregistered, await fx.redis.hgetall(key)], [[], {}]);
    });
  });
});
