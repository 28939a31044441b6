import { strict as assert } from "node:assert";
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
} from "@aws-sdk/client-servicediscovery";
import { closeOnSignals, type ClientEvent, type ConfigClient } from "../../../runtime/client";
import { discoverInstances } from "../../../runtime/lambda/fanout/discoverInstances";
import { createRefreshClient, refreshTokenMetadata, type StateResponse } from "../../../runtime/protocol";
import { freePort } from "../../../runtime/local/servers";
import { ClientPool, startTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { putParameters } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";
import { awsvpcTaskDocument, TaskMetadataServer } from "./support/taskMetadataServer";
import { waitFor } from "./support/waitFor";

const TOKEN = "task-registration-test-token-0123";

/** Runs `body` with `name` set in this process's environment (the client reads it), then restores it. */
async function withEnv<T>(name: string, value: string, body: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

function stateAt(address: string, prefix: string): Promise<StateResponse> {
  const client = createRefreshClient(address);
  return new Promise<StateResponse>((resolve, reject) =>
    client.State({ prefix }, refreshTokenMetadata(TOKEN), { deadline: Date.now() + 5_000 }, (error, response) =>
      error ? reject(error) : resolve(response as StateResponse),
    ),
  ).finally(() => client.close());
}

describe("Registering an ECS task", function () {
  let env: TestEnvironment;
  let metadata: TaskMetadataServer;
  let serviceId: string;
  const namespaceName = `crp-task-${process.pid}`;
  const serviceName = "orders";
  const clients = new ClientPool();

  before(async function () {
    this.timeout(60_000);
    [env, metadata] = await Promise.all([startTestEnvironment(), TaskMetadataServer.start()]);
    const created = await env.serviceDiscovery.send(new CreateHttpNamespaceCommand({ Name: namespaceName }));
    const operation = await env.serviceDiscovery.send(new GetOperationCommand({ OperationId: created.OperationId }));
    const service = await env.serviceDiscovery.send(
      new CreateServiceCommand({
        Name: serviceName,
        NamespaceId: operation.Operation?.Targets?.NAMESPACE as string,
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    );
    serviceId = service.Service?.Id as string;
  });
  afterEach(() => clients.closeAll());
  after(async () => {
    await metadata?.stop();
    await env?.dispose();
  });

  const instance = async (id: string) =>
    ((await env.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? []).find(
      (i) => i.Id === id,
    );
  const start = async (
    instanceId: string,
    extra: { host?: string } = {},
  ): Promise<{ client: ConfigClient; path: string }> => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      instanceId,
      refreshServer: { tokens: [TOKEN], ...extra },
      registration: { client: env.serviceDiscovery, serviceId, pipelineRefreshPort: "any" },
    });
    return { client, path };
  };

  it("registers the task ENI's address that the task metadata endpoint gives (awsvpc, IPv4)", async () => {
    metadata.respond({ document: awsvpcTaskDocument({ ipv4: ["10.0.2.106"] }) });
    const { client } = await withEnv("ECS_CONTAINER_METADATA_URI_V4", metadata.uri, () =>
      start("task-ipv4", { host: "127.0.0.1" }),
    );
    const entry = await instance("task-ipv4");
    assert.equal(entry?.Attributes?.AWS_INSTANCE_IPV4, "10.0.2.106");
    assert.equal(entry?.Attributes?.AWS_INSTANCE_PORT, String(client.refreshPort));
    assert.equal(entry?.Attributes?.AWS_INSTANCE_IPV6, undefined);
  });

  it("registers an IPv6-only task's address as AWS_INSTANCE_IPV6, which the fan-out reads, and serves on [::]", async () => {
    metadata.respond({ document: awsvpcTaskDocument({ ipv6: ["2600:1f14:abc:de00::106"] }) });
    const { client, path } = await withEnv("ECS_CONTAINER_METADATA_URI_V4", metadata.uri, () => start("task-ipv6"));
    const entry = await instance("task-ipv6");
    assert.equal(entry?.Attributes?.AWS_INSTANCE_IPV6, "2600:1f14:abc:de00::106");
    assert.equal(entry?.Attributes?.AWS_INSTANCE_IPV4, undefined);
    const found = (await discoverInstances(env.serviceDiscovery, { namespaceName, serviceName })).instances.find(
      (i) => i.instanceId === "task-ipv6",
    );
    assert.equal(found?.address, `[2600:1f14:abc:de00::106]:${client.refreshPort}`);
    // Listening on [::]: reachable over IPv6 (here its loopback).
    assert.equal((await stateAt(`[::1]:${client.refreshPort}`, path)).instanceId, "task-ipv6");
  });

  describe("when ECS serviceRegistries registers the task", () => {
    it("neither registers nor deregisters, and serves Refresh on the pipeline's refresh port", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info" });
      const pipelinePort = await freePort();
      // What ECS does when the task starts: the task ENI's address, the registry's container port, its own attributes.
      await env.serviceDiscovery.send(
        new RegisterInstanceCommand({
          ServiceId: serviceId,
          InstanceId: "ecs-task-1",
          Attributes: {
            AWS_INSTANCE_IPV4: "127.0.0.1",
            AWS_INSTANCE_PORT: String(pipelinePort),
            AVAILABILITY_ZONE: "us-east-1a",
            REGION: "us-east-1",
            ECS_CLUSTER_NAME: "default",
            ECS_SERVICE_NAME: "orders",
            ECS_TASK_DEFINITION_FAMILY: "orders",
          },
        }),
      );
      const events: ClientEvent[] = [];
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        instanceId: "ecs-task-1",
        refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
        registration: { registeredBy: "ecs", pipelineRefreshPort: pipelinePort },
      });
      client.onEvent((event) => events.push(event));
      assert.equal(client.refreshPort, pipelinePort);

      // The fan-out finds the task where ECS put it, and the client answers there.
      const found = (await discoverInstances(env.serviceDiscovery, { namespaceName, serviceName })).instances.find(
        (i) => i.instanceId === "ecs-task-1",
      );
      assert.equal(found?.address, `127.0.0.1:${pipelinePort}`);
      const caller = new RefreshCaller(pipelinePort);
      try {
        assert.equal((await caller.state(path, TOKEN)).instanceId, "ecs-task-1");
      } finally {
        caller.close();
      }

      await client.close();
      assert.deepEqual(
        events.filter((e) => e.type.startsWith("registration")),
        [],
      );
      assert.equal(
        (await instance("ecs-task-1"))?.Attributes?.ECS_SERVICE_NAME,
        "orders",
        "ECS's entry is ECS's to remove",
      );
    });
    it("answers with the task id ECS registered it under, read from the task metadata, when no instanceId is given", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info" });
      metadata.respond({ document: awsvpcTaskDocument({ ipv4: ["127.0.0.1"] }) });
      const client = await withEnv("ECS_CONTAINER_METADATA_URI_V4", metadata.uri, () =>
        clients.start({
          parameterPath: path,
          ssm: env.ssm,
          redis: env.redis.url,
          refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
          registration: { registeredBy: "ecs", pipelineRefreshPort: "any" },
        }),
      );
      // The fan-out compares the answering id with the discovered one: ECS's id is the task id.
      assert.equal(client.instanceId, "e9028f8d5d8e4f258373e7b93ce9a3c3");
      assert.ok(client.refreshPort !== undefined);
      const caller = new RefreshCaller(client.refreshPort);
      try {
        assert.equal((await caller.state(path, TOKEN)).instanceId, "e9028f8d5d8e4f258373e7b93ce9a3c3");
      } finally {
        caller.close();
      }
    });

    it("refuses to start without an instanceId outside a task, naming what to set", async () => {
      await assert.rejects(
        clients.start({
          parameterPath: uniquePath(),
          ssm: env.ssm,
          redis: env.redis.url,
          refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
          registration: { registeredBy: "ecs", pipelineRefreshPort: "any" },
        }),
        /instanceId: registeredBy "ecs" answers refresh calls with the id ECS registered \(the task id\)/,
      );
    });
  });

  describe("closeOnSignals", () => {
    it("deregisters first: the instance leaves Cloud Map while the drain is still running, then closes", async () => {
      const { client } = await start("drained", { host: "127.0.0.1" });
      assert.ok(await instance("drained"));
      let drainSawDeregistered = false;
      let closed = false;
      const close = client.close.bind(client);
      const remove = closeOnSignals(
        {
          deregister: () => client.deregister(),
          close: () =>
            close().then(() => {
              closed = true;
            }),
        },
        {
          signals: ["SIGUSR2"],
          exitCode: false,
          // A drain longer than the deregistration: it ends only once the instance is gone from Cloud Map.
          beforeClose: async () => {
            await waitFor("the deregistration during the drain", async () => (await instance("drained")) === undefined);
            drainSawDeregistered = !closed;
          },
        },
      );
      try {
        process.kill(process.pid, "SIGUSR2");
        await waitFor("the close", () => closed);
      } finally {
        remove();
      }
      assert.ok(drainSawDeregistered, "deregistered before the drain ended and before close()");
    });

    it("still drains and closes when the deregistration fails", async () => {
      const steps: string[] = [];
      const remove = closeOnSignals(
        {
          deregister: () => Promise.reject(new Error("Cloud Map unreachable")),
          close: async () => void steps.push("close"),
        },
        { signals: ["SIGUSR2"], exitCode: false, beforeClose: () => void steps.push("drain") },
      );
      try {
        process.kill(process.pid, "SIGUSR2");
        await waitFor("the close", () => steps.includes("close"));
      } finally {
        remove();
      }
      assert.deepEqual(steps, ["drain", "close"]);
    });
  });
});
