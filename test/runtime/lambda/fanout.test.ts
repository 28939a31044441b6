import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { REFRESH_METRICS } from "../../../runtime/lambda";
import { RefreshClientPool, refreshInstance } from "../../../runtime/lambda/fanout";
import { emulatorClientConfig, freePort } from "../../../runtime/local/servers";
import { changeEvent } from "./support/events";
import { startHangingServer, startTestInstance, type TestInstance } from "./support/instances";
import { RefreshFixture } from "./support/refreshFixture";

describe("refresh Lambda: refreshing the instances (moto Cloud Map + real gRPC on 127.0.0.1)", function () {
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

  /** A prefix, its token in SSM, a Cloud Map service, and settings that fan out to it. */
  const setup = (
    overrides: { scope?: string; deadlineMs?: number; token?: string; discoveryMaxResults?: number } = {},
  ) =>
    fx.fanOutTarget(
      (prefix) => ({
        ...(overrides.deadlineMs !== undefined ? { rpcDeadlineMs: overrides.deadlineMs } : {}),
        ...(overrides.scope ? { scopePattern: `${prefix}${overrides.scope}` } : {}),
        ...(overrides.discoveryMaxResults ? { discoveryMaxResults: overrides.discoveryMaxResults } : {}),
      }),
      overrides.token,
    );

  async function instance(
    serviceId: string,
    id: string,
    tokens: string[],
    attributes: Record<string, string> = {},
    answer?: Parameters<typeof startTestInstance>[2],
  ): Promise<TestInstance> {
    const started = await startTestInstance(id, tokens, answer);
    stoppers.push(() => started.stop());
    await fx.registerInstance(serviceId, id, {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(started.port),
      ...attributes,
    });
    return started;
  }

  describe("one change", () => {
    it("sends one authenticated Refresh call to each registered instance, and reports each answer", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      const instances = await Promise.all(["i-1", "i-2", "i-3"].map((id) => instance(serviceId, id, [token])));
      const name = `${prefix}log_level`;
      const version = await fx.put(name, "warn");
      const event = changeEvent(name, "Create");
      const { refresh, metrics, logger } = fx.handler(settings);

      const result = await refresh(event);

      assert.equal((await fx.readStream(settings)).length, 1);
      for (const target of instances) {
        assert.equal(target.calls.length, 1, `${target.instanceId} called once`);
        const [change] = target.calls[0]!.changes;
        assert.deepEqual(
          [change?.name, change?.operation, change?.version, change?.type, change?.value],
          [name, "Create", version, "String", "warn"],
        );
        assert.equal(target.calls[0]!.eventId, event.id);
      }
      const reported = [...result.instances].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
      assert.deepEqual(
        reported.map((i) => [i.instanceId, i.address, i.outcome, i.attempts]),
        instances.map((i) => [i.instanceId, i.address, "ACK", 1]),
      );
      for (const answer of reported) {
        assert.deepEqual(
          answer.results.map((r) => [r.name, r.outcome, r.version]),
          [[name, "ACK", version]],
        );
        assert.ok(Number.isFinite(answer.latencyMs));
      }
      assert.equal(metrics.sum(REFRESH_METRICS.acked), 3);
      assert.equal(metrics.values.get(REFRESH_METRICS.refreshCallLatency)?.length, 3);
      assert.ok(!logger.text().includes(token), "the token is never logged");
    });

    it("sends all the changes of an invocation to an instance in one call, in stream order", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      const target = await instance(serviceId, "i-1", [token]);
      const names = [`${prefix}a`, `${prefix}b`];
      for (const name of names) await fx.put(name, "v");
      const { refresh } = fx.handler(settings);

      const result = await refresh(names.map((name) => changeEvent(name, "Create")));

      assert.equal(target.calls.length, 1);
      assert.deepEqual(
        target.calls[0]!.changes.map((c) => c.name),
        result.published.map((c) => c.name),
      );
    });

    it("sends a SecureString change without its value", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      const target = await instance(serviceId, "i-1", [token]);
      const name = `${prefix}api_key`;
      await fx.put(name, "do-not-send-me", "SecureString");
      const { refresh } = fx.handler(settings);

      await refresh(changeEvent(name, "Create", { type: "SecureString" }));

      const [change] = target.calls[0]?.changes ?? [];
      assert.equal(change?.type, "SecureString");
      assert.equal(change?.value, undefined, "no value on the wire");
      assert.ok(!JSON.stringify(target.calls).includes("do-not-send-me"));
    });

    it("does not call any instance when nothing new was published", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      const target = await instance(serviceId, "i-1", [token]);
      const name = `${prefix}same`;
      await fx.put(name, "x");
      const event = changeEvent(name, "Create");
      const { refresh } = fx.handler(settings);
      await refresh(event);

      const again = await refresh(event);

      assert.deepEqual(again.instances, []);
      assert.equal(target.calls.length, 1);
    });
  });

  describe("answers that are not ACK", () => {
    it("reports a NACK with its reason and does not fail (the instance keeps what it held)", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      await instance(serviceId, "i-ok", [token]);
      await instance(serviceId, "i-strict", [token], {}, () => ({
        outcome: "NACK",
        version: 0,
        reason: "VALIDATION_FAILED",
        detail: "must be a number",
      }));
      const name = `${prefix}pool_size`;
      await fx.put(name, "many");
      const { refresh, metrics, logger } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      const strict = result.instances.find((i) => i.instanceId === "i-strict");
      assert.equal(strict?.outcome, "NACK");
      assert.deepEqual(strict?.reasons, ["VALIDATION_FAILED"]);
      assert.equal(strict?.results[0]?.detail, "must be a number");
      assert.equal(result.instances.find((i) => i.instanceId === "i-ok")?.outcome, "ACK");
      assert.equal(metrics.sum(REFRESH_METRICS.nacked), 1);
      assert.equal(metrics.sum(REFRESH_METRICS.retryableFailures), 0);
      assert.equal(logger.find("instance refused changes").length, 1);
    });

    it("answers every other instance when one hangs and one address is dead, and says which failed", async () => {
      const deadlineMs = 400;
      const { prefix, token, serviceId, settings } = await setup({ deadlineMs });
      const healthy = await Promise.all(["i-a", "i-b"].map((id) => instance(serviceId, id, [token])));
      const hanging = await startHangingServer();
      stoppers.push(() => hanging.stop());
      await fx.registerInstance(serviceId, "i-hung", {
        AWS_INSTANCE_IPV4: "127.0.0.1",
        AWS_INSTANCE_PORT: String(hanging.port),
      });
      const deadPort = await freePort();
      await fx.registerInstance(serviceId, "i-dead", {
        AWS_INSTANCE_IPV4: "127.0.0.1",
        AWS_INSTANCE_PORT: String(deadPort),
      });
      await fx.registerInstance(serviceId, "i-noaddress", { team: "x" });
      const name = `${prefix}feature`;
      await fx.put(name, "on");
      const { refresh, metrics } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      const byId = new Map(result.instances.map((i) => [i.instanceId, i]));
      for (const target of healthy) {
        assert.equal(byId.get(target.instanceId)?.outcome, "ACK");
        assert.equal(target.calls.length, 1);
      }
      const hung = byId.get("i-hung");
      assert.equal(hung?.outcome, "unreachable");
      assert.match(hung?.error ?? "", /^DEADLINE_EXCEEDED/);
      assert.equal(hung?.attempts, 2, "one retry");
      assert.ok(hanging.connections() >= 1, "the hanging server was really connected to");
      const dead = byId.get("i-dead");
      assert.equal(dead?.outcome, "unreachable");
      assert.match(dead?.error ?? "", /^UNAVAILABLE/);
      assert.equal(dead?.attempts, 2);
      assert.match(byId.get("i-noaddress")?.error ?? "", /AWS_INSTANCE_IPV4/);
      assert.equal(metrics.sum(REFRESH_METRICS.unreachable), 3);
      assert.equal(metrics.sum(REFRESH_METRICS.acked), 2);
      console.log(
        `      (deadline ${deadlineMs} ms: ${result.instances.map((i) => `${i.instanceId} ${i.outcome} ${i.latencyMs} ms`).join(", ")})`,
      );
    });

    it("is refused UNAUTHENTICATED, with no instance handler run, when its token is not the instances' one; the function does not fail", async () => {
      const { prefix, token, serviceId, settings } = await setup({ token: "not-the-instances-token" });
      const target = await instance(serviceId, "i-1", [token]);
      const name = `${prefix}x`;
      await fx.put(name, "1");
      const { refresh, logger } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      assert.equal(result.instances[0]?.outcome, "unreachable");
      assert.match(result.instances[0]?.error ?? "", /^UNAUTHENTICATED/);
      assert.equal(target.calls.length, 0, "the refresh handler never ran");
      assert.ok(target.refused >= 1);
      assert.ok(!logger.text().includes("not-the-instances-token"));
    });

    it("reports Cloud Map being unavailable without failing: the change is on the stream for the instances to read", async () => {
      const { prefix, settings } = await setup();
      const deadCloudMap = new ServiceDiscoveryClient({
        ...emulatorClientConfig(`http://127.0.0.1:${await freePort()}`),
        disableHostPrefix: true,
        maxAttempts: 1,
      });
      stoppers.push(async () => deadCloudMap.destroy());
      const name = `${prefix}x`;
      await fx.put(name, "1");
      const { refresh, metrics } = fx.handler(settings, { serviceDiscovery: deadCloudMap });

      const result = await refresh(changeEvent(name, "Create"));

      assert.equal(result.published.length, 1);
      assert.deepEqual(result.instances, []);
      assert.match(result.fanOutErrors[0] ?? "", /DiscoverInstances failed/);
      assert.equal(metrics.sum(REFRESH_METRICS.fanOutErrors), 1);
    });
  });

  describe("refresh token rotation", () => {
    it("picks up a rotated token once the cached one is older than its maximum age", async () => {
      const { prefix, token, serviceId, settings } = await setup();
      const accepted = [token];
      const target = await instance(serviceId, "i-1", accepted);
      const name = `${prefix}x`;
      await fx.put(name, "1");
      const { refresh } = fx.handler(settings, { tokenMaxAgeMs: 1 });
      assert.equal((await refresh(changeEvent(name, "Create"))).instances[0]?.outcome, "ACK");

      const rotated = `token-${randomUUID()}`;
      await fx.put(settings.refreshTokenParameter!, rotated, "SecureString");
      accepted.splice(0, accepted.length, rotated);
      await fx.put(name, "2");
      const after = await refresh(changeEvent(name, "Update"));

      assert.equal(after.instances[0]?.outcome, "ACK");
      assert.equal(target.calls.length, 2);
    });

    it("re-reads the token once and calls again when an instance refuses the cached one", async () => {
      const accepted = ["new-token"];
      const target = await startTestInstance("i-1", accepted);
      stoppers.push(() => target.stop());
      const pool = new RefreshClientPool();
      stoppers.push(async () => pool.close());
      let rereads = 0;
      const tokens = {
        get: async () => "old-token",
        refresh: async () => {
          rereads += 1;
          return "new-token";
        },
      };
      const request = {
        changes: [
          {
            name: "/p/x",
            operation: "Update",
            version: 2,
            type: "String",
            value: "v",
            modifiedAtMs: 1,
            changedAtMs: 1,
          },
        ],
        eventId: "e",
        sentAtMs: 1,
      };

      const result = await refreshInstance({ instanceId: "i-1", address: target.address }, request, {
        pool,
        tokens,
        deadlineMs: 2_000,
        retries: 1,
      });

      assert.deepEqual([result.outcome, result.attempts, rereads], ["ACK", 2, 1]);
      assert.equal(target.refused, 1);
    });
  });

  describe("scope pattern", () => {
    it("sends a change under a tenant's path only to that tenant's instances, and other changes to all", async () => {
      const { prefix, token, serviceId, settings } = await setup({ scope: "tenants/{tenant}/" });
      const acme = await instance(serviceId, "i-acme", [token], { tenant: "acme" });
      const globex = await instance(serviceId, "i-globex", [token], { tenant: "globex" });
      const shared = await instance(serviceId, "i-shared", [token]);
      const acmeName = `${prefix}tenants/acme/db/pool_size`;
      const globexName = `${prefix}tenants/globex/theme`;
      const globalName = `${prefix}log_level`;
      for (const name of [acmeName, globexName, globalName]) await fx.put(name, "1");
      const { refresh } = fx.handler(settings);

      const tenantOnly = await refresh(changeEvent(acmeName, "Create"));
      assert.deepEqual(
        tenantOnly.instances.map((i) => i.instanceId),
        ["i-acme"],
      );
      assert.deepEqual([acme.calls.length, globex.calls.length, shared.calls.length], [1, 0, 0]);

      const mixed = await refresh([changeEvent(globexName, "Create"), changeEvent(globalName, "Create")]);
      assert.deepEqual(mixed.instances.map((i) => i.instanceId).sort(), ["i-acme", "i-globex", "i-shared"]);
      assert.deepEqual(
        globex.calls[0]?.changes.map((c) => c.name),
        [globexName, globalName],
        "one call with both changes",
      );
      assert.deepEqual(
        acme.calls[1]?.changes.map((c) => c.name),
        [globalName],
      );
      assert.deepEqual(
        shared.calls[0]?.changes.map((c) => c.name),
        [globalName],
      );
    });
  });

  describe("more instances than one discovery returns (DiscoverInstances: at most 1000, no pagination)", () => {
    it("reports a discovery that came back full as possibly incomplete: in the result, a log line and a metric", async () => {
      const { prefix, token, serviceId, settings } = await setup({ discoveryMaxResults: 2 });
      await Promise.all(["i-1", "i-2", "i-3"].map((id) => instance(serviceId, id, [token])));
      const name = `${prefix}x`;
      await fx.put(name, "1");
      const { refresh, metrics, logger } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      assert.equal(result.instances.length, 2, "Cloud Map returned MaxResults instances");
      assert.equal(result.cappedDiscoveries.length, 1);
      assert.match(
        result.cappedDiscoveries[0]!,
        /returned 2 instances, as many as MaxResults \(2; it cannot paginate\): more instances may exist/,
      );
      assert.equal(metrics.sum(REFRESH_METRICS.cappedDiscoveries), 1);
      assert.equal(logger.find("discovery capped: more instances may exist, left to the stream").length, 1);
      assert.deepEqual(result.fanOutErrors, [], "not a failure: the stream still reaches every instance");
    });

    it("reports nothing when the discovery returned fewer instances than it may", async () => {
      const { prefix, token, serviceId, settings } = await setup({ discoveryMaxResults: 3 });
      await Promise.all(["i-1", "i-2"].map((id) => instance(serviceId, id, [token])));
      const name = `${prefix}x`;
      await fx.put(name, "1");
      const { refresh, metrics } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      assert.deepEqual(
        [result.instances.length, result.cappedDiscoveries, metrics.sum(REFRESH_METRICS.cappedDiscoveries)],
        [2, [], 0],
      );
    });
  });
});
