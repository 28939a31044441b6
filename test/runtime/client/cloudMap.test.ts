import { strict as assert } from "node:assert";
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  DiscoverInstancesCommand,
  GetOperationCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-servicediscovery";
import { z } from "zod";
import { ConfigValidationError, createConfigClient } from "../../../runtime/client";
import { toWireChange } from "../../../runtime/protocol";
import {
  ClientPool,
  MemoryLogger,
  startTestEnvironment,
  uniquePath,
  type TestEnvironment,
} from "./support/environment";
import { putParameter, putParameters } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";

const TOKEN = "cloud-map-test-token-0123456789";

describe("Cloud Map registration", function () {
  let env: TestEnvironment;
  let serviceId: string;
  const namespaceName = `crp-test-${process.pid}`;
  const serviceName = "orders";
  const clients = new ClientPool();

  before(async function () {
    this.timeout(60_000);
    env = await startTestEnvironment();
    const created = await env.serviceDiscovery.send(new CreateHttpNamespaceCommand({ Name: namespaceName }));
    const operation = await env.serviceDiscovery.send(new GetOperationCommand({ OperationId: created.OperationId }));
    const namespaceId = operation.Operation?.Targets?.NAMESPACE as string;
    const service = await env.serviceDiscovery.send(
      new CreateServiceCommand({
        Name: serviceName,
        NamespaceId: namespaceId,
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    );
    serviceId = service.Service?.Id as string;
  });
  afterEach(() => clients.closeAll());
  after(() => env?.dispose());

  const listed = async (): Promise<string[]> =>
    ((await env.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? []).map(
      (i) => i.Id as string,
    );
  const discovered = async (query: Record<string, string> = {}) =>
    (
      await env.serviceDiscovery.send(
        new DiscoverInstancesCommand({
          NamespaceName: namespaceName,
          ServiceName: serviceName,
          HealthStatus: "HEALTHY",
          QueryParameters: query,
        }),
      )
    ).Instances ?? [];

  it("has the instance after start, HEALTHY, with the refresh server's address and port and its scope attributes, and not after close", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      instanceId: "orders-1",
      schema: { log_level: z.enum(["debug", "info", "warn", "error"]) },
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1", port: 0 },
      registration: { client: env.serviceDiscovery, serviceId, address: "127.0.0.1", attributes: { tenant: "acme" } },
    });

    assert.ok((await listed()).includes("orders-1"));
    const [instance] = await discovered({ tenant: "acme" });
    assert.equal(instance?.InstanceId, "orders-1");
    assert.equal(instance?.HealthStatus, "HEALTHY");
    assert.equal(instance?.Attributes?.AWS_INSTANCE_IPV4, "127.0.0.1");
    assert.equal(instance?.Attributes?.AWS_INSTANCE_PORT, String(client.refreshPort));
    assert.deepEqual(await discovered({ tenant: "other" }), []);

    // What the refresh Lambda does: call Refresh at the discovered address.
    const caller = new RefreshCaller(Number(instance?.Attributes?.AWS_INSTANCE_PORT));
    try {
      const response = await caller.refresh(
        [toWireChange(await putParameter(env.ssm, `${path}log_level`, "debug"))],
        TOKEN,
      );
      assert.deepEqual(
        response.results.map((r) => r.outcome),
        ["ACK"],
      );
      assert.equal(client.get("log_level"), "debug");
    } finally {
      caller.close();
    }

    await client.close();
    assert.ok(!(await listed()).includes("orders-1"));
    assert.deepEqual(await discovered({ tenant: "acme" }), []);
  });

  it("never registers an instance whose configuration is refused", async () => {
    const path = uniquePath();
    await assert.rejects(
      createConfigClient({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        instanceId: "orders-refused",
        logger: new MemoryLogger(),
        schema: { log_level: z.enum(["debug", "info"]) },
        refreshServer: { tokens: [TOKEN], host: "127.0.0.1", port: 0 },
        registration: { client: env.serviceDiscovery, serviceId, address: "127.0.0.1" },
      }),
      ConfigValidationError,
    );
    assert.ok(!(await listed()).includes("orders-refused"));
  });
});
