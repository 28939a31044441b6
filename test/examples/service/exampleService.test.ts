import { strict as assert } from "node:assert";
import * as path from "node:path";
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-servicediscovery";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { loadAppConfig } from "../../../components/appConfig";
import { validateValue } from "../../../runtime/client/schema";
import { defaultStreamKey } from "../../../runtime/protocol";
import { serviceSchema } from "../../../examples/service/configSchema";
import { startTestEnvironment, uniquePath, type TestEnvironment } from "../../runtime/client/support/environment";
import { publish, putParameter } from "../../runtime/client/support/parameters";
import { startServiceProcess, type ServiceProcess } from "../../runtime/client/support/serviceProcess";
import { waitFor } from "../../runtime/client/support/waitFor";

const APP_CONFIG = path.join(__dirname, "..", "..", "..", "stacks", "app_config_beta.yaml");
const TOKEN = "example-service-token-0123456789";

describe("the example service", function () {
  this.timeout(30_000);
  let env: TestEnvironment;
  let serviceId: string;
  const processes: ServiceProcess[] = [];

  before(async function () {
    this.timeout(60_000);
    env = await startTestEnvironment();
    const namespace = await env.serviceDiscovery.send(
      new CreateHttpNamespaceCommand({ Name: `example-${process.pid}` }),
    );
    const operation = await env.serviceDiscovery.send(new GetOperationCommand({ OperationId: namespace.OperationId }));
    const service = await env.serviceDiscovery.send(
      new CreateServiceCommand({
        Name: "shop",
        NamespaceId: operation.Operation?.Targets?.NAMESPACE,
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    );
    serviceId = service.Service?.Id as string;
  });
  afterEach(() => {
    for (const p of processes.splice(0)) p.kill();
  });
  after(() => env?.dispose());

  /** Seeds SSM from the real stacks/app_config_beta.yaml under `prefix`, plus its required secrets. */
  async function seed(prefix: string, options: { skip?: string } = {}): Promise<void> {
    const config = loadAppConfig(APP_CONFIG, { prefix });
    for (const entry of config.entries) {
      if (entry.key === options.skip) continue;
      await env.ssm.send(new PutParameterCommand({ Name: entry.name, Value: entry.value, Type: entry.type }));
    }
    for (const secret of config.requiredSecrets) {
      await env.ssm.send(
        new PutParameterCommand({ Name: secret.name, Value: `local-${secret.key}-value`, Type: "SecureString" }),
      );
    }
  }

  function start(prefix: string, extra: string[] = []): ServiceProcess {
    const service = startServiceProcess(
      ["--parameter-path", prefix, "--http-port", "0", "--http-host", "127.0.0.1", ...extra],
      {
        CONFIG_REDIS_URL: env.redis.url,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: env.moto.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
    );
    processes.push(service);
    return service;
  }

  async function get(port: number): Promise<Record<string, unknown>> {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }

  it("declares every key of stacks/app_config_beta.yaml and its required secrets, and accepts the file's values", () => {
    const config = loadAppConfig(APP_CONFIG);
    const keys = [...config.entries.map((e) => e.key), ...config.requiredSecrets.map((s) => s.key)].sort();
    assert.deepEqual(Object.keys(serviceSchema).sort(), keys);
    for (const entry of config.entries) {
      const result = validateValue(serviceSchema[entry.key as keyof typeof serviceSchema], entry.value);
      assert.ok(result.ok, `${entry.key}: ${result.ok ? "" : result.detail}`);
    }
  });

  it("starts as a process, prints one ready line, changes behaviour live, and exits cleanly on SIGTERM, deregistered", async () => {
    const prefix = uniquePath();
    await seed(prefix);
    const service = start(prefix, [
      "--instance-id",
      "shop-1",
      "--refresh-token",
      TOKEN,
      "--refresh-port",
      "0",
      "--refresh-host",
      "127.0.0.1",
      "--cloud-map-service-id",
      serviceId,
      "--instance-address",
      "127.0.0.1",
      "--attributes",
      "tenant=acme",
    ]);
    const ready = await service.ready;
    assert.equal(ready.event, "ready");
    assert.equal(ready.instanceId, "shop-1");
    assert.ok(ready.httpPort > 0 && (ready.refreshPort ?? 0) > 0);
    const instances =
      (await env.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? [];
    assert.deepEqual(
      instances.map((i) => [i.Id, i.Attributes?.AWS_INSTANCE_PORT, i.Attributes?.tenant]),
      [["shop-1", String(ready.refreshPort), "acme"]],
    );

    assert.deepEqual(await get(ready.httpPort), {
      instanceId: "shop-1",
      checkout: "new",
      rolloutPercent: 100,
      currency: "EUR",
      logLevel: "debug",
    });

    const streamKey = defaultStreamKey(prefix);
    await publish(env.admin, streamKey, [
      await putParameter(env.ssm, `${prefix}features/new_checkout`, "false"),
      await putParameter(env.ssm, `${prefix}log_level`, "warn"),
    ]);
    await waitFor("the new behaviour", async () => (await get(ready.httpPort)).checkout === "classic");
    assert.equal((await get(ready.httpPort)).logLevel, "warn", "the logger was rebuilt with the new level");

    // A bad value is refused; the service keeps serving what it had.
    await publish(env.admin, streamKey, [await putParameter(env.ssm, `${prefix}log_level`, "verbose")]);
    await waitFor("the refusal in the log", () => /"event":"rejected"/.test(service.stderr()));
    assert.equal((await get(ready.httpPort)).logLevel, "warn");
    assert.doesNotMatch(service.stderr(), /verbose/, "the log never carries a refused value");

    service.child.kill("SIGTERM");
    assert.equal(await service.exited, 0);
    assert.equal(service.stdoutLines.length, 1, "stdout carries the ready line only");
    assert.deepEqual(
      (await env.serviceDiscovery.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? [],
      [],
    );
  });

  it("exits non-zero, naming each missing setting, when it is not configured", async () => {
    const service = startServiceProcess(["--http-port", "http"], {});
    processes.push(service);
    assert.equal(await service.exited, 2);
    const stderr = service.stderr();
    for (const expected of [
      "--parameter-path (CONFIG_PARAMETER_PATH): is not set",
      "--redis-url (CONFIG_REDIS_URL): is not set",
      "--region (AWS_REGION): is not set",
      "--http-port (HTTP_PORT)",
    ]) {
      assert.ok(stderr.includes(expected), `stderr lacks "${expected}":\n${stderr}`);
    }
    assert.deepEqual(service.stdoutLines, []);
  });

  it("exits non-zero, naming the key, when a required parameter is missing from SSM", async () => {
    const prefix = uniquePath();
    await seed(prefix, { skip: "checkout/currency" });
    const service = start(prefix);
    assert.equal(await service.exited, 1);
    assert.match(service.stderr(), /cannot start: .*\n.*checkout\/currency .*missing \(required\)/);
    assert.deepEqual(service.stdoutLines, []);
  });
});
