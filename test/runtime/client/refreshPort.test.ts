import { strict as assert } from "node:assert";
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-servicediscovery";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ClientOptionsError, createConfigClient, type ConfigClientOptions } from "../../../runtime/client";
import type { HostEnvironment } from "../../../runtime/client/registration/hostEnvironment";
import { resolveOptions } from "../../../runtime/client/resolveOptions";
import { freePort } from "../../../runtime/local/servers";
import { PIPELINE_CONTRACT_DEFAULTS } from "../../../runtime/protocol/pipelineContract";
import {
  ClientPool,
  MemoryLogger,
  startTestEnvironment,
  uniquePath,
  type TestEnvironment,
} from "./support/environment";
import { putParameters } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";

const TOKEN = "refresh-port-test-token-01234567";
const region = "us-east-1";
const credentials = { accessKeyId: "x", secretAccessKey: "x" };
const ssm = new SSMClient({ region, credentials });
const cloudMap = new ServiceDiscoveryClient({ region, credentials });

function host(env: Record<string, string> = {}): HostEnvironment {
  return {
    env,
    networkInterfaces: () => ({
      eth1: [
        {
          address: "10.0.2.106",
          family: "IPv4",
          internal: false,
          netmask: "255.255.255.0",
          mac: "0a:00:00:00:00:01",
          cidr: "10.0.2.106/24",
        },
      ],
    }),
    metadataTimeoutMs: 300,
  };
}

type OwnRegistration = Extract<NonNullable<ConfigClientOptions["registration"]>, { serviceId: string }>;
function options(
  server: { port?: number } | undefined,
  registration: Partial<OwnRegistration> | false = {},
): ConfigClientOptions {
  return {
    parameterPath: "/shop/beta/",
    ssm,
    redis: "redis://127.0.0.1:6379",
    ...(server ? { refreshServer: { tokens: [TOKEN], ...server } } : {}),
    ...(registration ? { registration: { client: cloudMap, serviceId: "srv-1", ...registration } } : {}),
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ClientOptionsError, String(error));
  return error.message;
}

describe("The refresh port a registered instance serves and registers", () => {
  it("defaults to the pipeline's default refresh port (50051) when nothing declares another", async () => {
    assert.equal(PIPELINE_CONTRACT_DEFAULTS.refreshPort, 50051);
    assert.equal(
      (await resolveOptions(options({}), host())).refreshServer?.port,
      PIPELINE_CONTRACT_DEFAULTS.refreshPort,
    );
  });

  it("defaults to the port CONFIG_REFRESH_PORT declares (the stack output refreshPort), and the option wins over it", async () => {
    assert.equal((await resolveOptions(options({}), host({ CONFIG_REFRESH_PORT: "7443" }))).refreshServer?.port, 7443);
    const both = await resolveOptions(
      options({}, { pipelineRefreshPort: 8443 }),
      host({ CONFIG_REFRESH_PORT: "7443" }),
    );
    assert.equal(both.refreshServer?.port, 8443);
  });

  it("refuses a refresh server port that differs from the pipeline's, with a sentence", async () => {
    const message = await refusal(resolveOptions(options({ port: 50052 }), host({ CONFIG_REFRESH_PORT: "50051" })));
    assert.match(
      message,
      /refreshServer\.port: 50052 differs from the refresh port the pipeline opens to the refresh function \(50051, from CONFIG_REFRESH_PORT\): its security group would drop every Refresh call to this instance/,
    );
  });

  it("refuses a registered port that differs from the pipeline's, and a random one", async () => {
    assert.match(
      await refusal(resolveOptions(options({ port: 7443 }, { port: 7444, pipelineRefreshPort: 7443 }), host())),
      /registration\.port: 7444 differs from the refresh port the pipeline opens .*\(7443, from registration\.pipelineRefreshPort\)/,
    );
    assert.match(
      await refusal(resolveOptions(options({ port: 0 }, { pipelineRefreshPort: 7443 }), host())),
      /refreshServer\.port: 0 \(any free port\) differs/,
    );
  });

  it("registers the host port in bridge mode: the registered port is the one compared", async () => {
    const resolved = await resolveOptions(
      options({ port: 8080 }, { address: "10.0.1.20", port: 7443 }),
      host({ CONFIG_REFRESH_PORT: "7443" }),
    );
    assert.equal(resolved.refreshServer?.port, 8080);
    assert.equal(resolved.registration?.port, 7443);
  });

  it("takes any free port where the pipeline declares any (the local pipeline)", async () => {
    assert.equal((await resolveOptions(options({}), host({ CONFIG_REFRESH_PORT: "any" }))).refreshServer?.port, 0);
    assert.equal(
      (await resolveOptions(options({ port: 0 }, { pipelineRefreshPort: "any" }), host())).refreshServer?.port,
      0,
    );
  });

  it("keeps an explicit port when the pipeline's is unknown", async () => {
    assert.equal((await resolveOptions(options({ port: 0 }), host())).refreshServer?.port, 0);
    assert.equal((await resolveOptions(options({ port: 7443 }), host())).refreshServer?.port, 7443);
  });

  it("refuses a malformed CONFIG_REFRESH_PORT or pipelineRefreshPort instead of ignoring it", async () => {
    for (const raw of ["http", "0", "70000", "50051/tcp"]) {
      assert.match(
        await refusal(resolveOptions(options({}), host({ CONFIG_REFRESH_PORT: raw }))),
        new RegExp(`CONFIG_REFRESH_PORT: "${raw}" is neither a port \\(1-65535\\) nor "any"`),
      );
    }
    const message = await refusal(resolveOptions(options({}, { pipelineRefreshPort: 0 }), host()));
    assert.match(message, /registration\.pipelineRefreshPort: must be a port \(1-65535\) or "any"/);
  });

  it("stays random without registration (tests, local runs), whatever CONFIG_REFRESH_PORT says", async () => {
    const resolved = await resolveOptions(options({}, false), host({ CONFIG_REFRESH_PORT: "7443" }));
    assert.equal(resolved.refreshServer?.port, undefined);
    assert.equal(
      (await resolveOptions(options({ port: 0 }, false), host({ CONFIG_REFRESH_PORT: "7443" }))).refreshServer?.port,
      0,
    );
  });

  it("is required with a registration and no refresh server, and checked against the pipeline's", async () => {
    assert.match(
      await refusal(resolveOptions(options(undefined), host())),
      /registration\.port: is required when there is no refreshServer/,
    );
    assert.match(
      await refusal(resolveOptions(options(undefined, { port: 1234 }), host({ CONFIG_REFRESH_PORT: "50051" }))),
      /registration\.port: 1234 differs/,
    );
  });

  describe("with Cloud Map (moto) and a real refresh server", function () {
    let env: TestEnvironment;
    let serviceId: string;
    const clients = new ClientPool();

    before(async function () {
      this.timeout(60_000);
      env = await startTestEnvironment();
      const created = await env.serviceDiscovery.send(
        new CreateHttpNamespaceCommand({ Name: `crp-port-${process.pid}` }),
      );
      const operation = await env.serviceDiscovery.send(new GetOperationCommand({ OperationId: created.OperationId }));
      const service = await env.serviceDiscovery.send(
        new CreateServiceCommand({
          Name: "orders",
          NamespaceId: operation.Operation?.Targets?.NAMESPACE as string,
          HealthCheckCustomConfig: { FailureThreshold: 1 },
        }),
      );
      serviceId = service.Service?.Id as string;
    });
    afterEach(() => clients.closeAll());
    after(() => env?.dispose());

    const instances = async () =>
      (await env.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? [];

    it("registers and serves the pipeline's refresh port when no port is given", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { log_level: "info" });
      // The port the pipeline "opens" is one that is free on this machine (50051 may be another test's).
      const pipelinePort = await freePort();
      const client = await clients.start({
        parameterPath: path,
        ssm: env.ssm,
        redis: env.redis.url,
        instanceId: "port-1",
        refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
        registration: {
          client: env.serviceDiscovery,
          serviceId,
          address: "127.0.0.1",
          pipelineRefreshPort: pipelinePort,
        },
      });
      assert.equal(client.refreshPort, pipelinePort);
      const entry = (await instances()).find((i) => i.Id === "port-1");
      assert.equal(entry?.Attributes?.AWS_INSTANCE_PORT, String(pipelinePort));
      const caller = new RefreshCaller(pipelinePort);
      try {
        assert.equal((await caller.state(path, TOKEN)).instanceId, "port-1");
      } finally {
        caller.close();
      }
    });

    it("refuses a mismatching port before anything is registered or opened", async () => {
      const message = await refusal(
        createConfigClient({
          parameterPath: uniquePath(),
          ssm: env.ssm,
          redis: env.redis.url,
          instanceId: "port-refused",
          logger: new MemoryLogger(),
          refreshServer: { tokens: [TOKEN], host: "127.0.0.1", port: 0 },
          registration: { client: env.serviceDiscovery, serviceId, address: "127.0.0.1", pipelineRefreshPort: 50051 },
        }),
      );
      assert.match(
        message,
        /refreshServer\.port: 0 \(any free port\) differs from the refresh port the pipeline opens/,
      );
      assert.ok(!(await instances()).some((i) => i.Id === "port-refused"));
    });
  });
});
