import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import { emulatorClientConfig } from "../../../runtime/local/servers";
import { changeEvent } from "./support/events";
import { startTestInstance } from "./support/instances";
import { RefreshFixture } from "./support/refreshFixture";

/** Records when each call of an SDK client starts and ends, by operation. */
function recordCalls(
  client: SSMClient | ServiceDiscoveryClient,
  into: { operation: string; start: bigint; end?: bigint }[],
): void {
  (client.middlewareStack as { add(middleware: unknown, options: { step: string; name: string }): void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const call: { operation: string; start: bigint; end?: bigint } = {
        operation: (context.commandName ?? "").replace(/Command$/, ""),
        start: process.hrtime.bigint(),
      };
      into.push(call);
      try {
        return await next(args);
      } finally {
        call.end = process.hrtime.bigint();
      }
    },
    { step: "initialize", name: "recordCalls" },
  );
}

describe("refresh Lambda: Cloud Map is asked for the instances while SSM is read", function () {
  let fx: RefreshFixture;
  const clients: (SSMClient | ServiceDiscoveryClient)[] = [];

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await fx?.close();
  });

  it("starts DiscoverInstances before GetParameters has answered, and still calls only after the publish", async () => {
    const prefix = fx.newPrefix();
    const token = `token-${randomUUID()}`;
    const tokenParameter = `/config-refresh${prefix}refresh-token`;
    await fx.put(tokenParameter, token, "SecureString");
    const { namespaceName, serviceName, serviceId } = await fx.createService();
    const instance = await startTestInstance("i-1", [token]);
    try {
      await fx.registerInstance(serviceId, "i-1", {
        AWS_INSTANCE_IPV4: "127.0.0.1",
        AWS_INSTANCE_PORT: String(instance.port),
      });
      const calls: { operation: string; start: bigint; end?: bigint }[] = [];
      const ssm = new SSMClient({ ...emulatorClientConfig(fx.moto.endpoint), maxAttempts: 1 });
      const serviceDiscovery = new ServiceDiscoveryClient({
        ...emulatorClientConfig(fx.moto.endpoint),
        disableHostPrefix: true,
      });
      clients.push(ssm, serviceDiscovery);
      recordCalls(ssm, calls);
      recordCalls(serviceDiscovery, calls);
      const settings = fx.settings({
        parameterPrefix: prefix,
        namespaceName,
        serviceName,
        refreshTokenParameter: tokenParameter,
      });
      const { refresh } = fx.handler(settings, { ssm, serviceDiscovery });
      const name = `${prefix}log_level`;
      const version = await fx.put(name, "warn");

      const result = await refresh(changeEvent(name, "Create"));

      const read = calls.find((call) => call.operation === "GetParameters");
      const discovery = calls.find((call) => call.operation === "DiscoverInstances");
      assert.ok(read?.end && discovery, "both calls were made");
      assert.ok(discovery.start < read.end, "DiscoverInstances started while GetParameters was still in flight");
      assert.deepEqual(
        result.instances.map((i) => [i.instanceId, i.outcome]),
        [["i-1", "ACK"]],
      );
      // The stream still has the change before the instance is called: the call carried what was published.
      assert.deepEqual(
        instance.calls.flatMap((request) => request.changes.map((c) => [c.name, c.version])),
        [[name, version]],
      );
      assert.equal((await fx.readStream(settings)).length, 1);

      // A duplicate publishes nothing and calls nobody, even though Cloud Map was asked.
      const again = await refresh(changeEvent(name, "Create"));
      assert.equal(again.published.length, 0);
      assert.equal(again.instances.length, 0);
      assert.equal(instance.calls.length, 1);
    } finally {
      await instance.stop();
      await fx.closeHandlers();
    }
  });
});
