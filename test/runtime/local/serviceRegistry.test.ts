import { strict as assert } from "node:assert";
import {
  GetServiceCommand,
  ServiceDiscoveryClient,
  type CreateHttpNamespaceCommandInput,
  type CreateServiceCommandInput,
} from "@aws-sdk/client-servicediscovery";
import { ensureServiceRegistry } from "../../../runtime/local/provision/serviceRegistry";
import { pipelineNames } from "../../../runtime/operator/pipeline/pipelineNames";
import { LocalMotoServer, emulatorClientConfig } from "../../../runtime/local/servers";
import { runProgram, single, type ProgramRun } from "../../support/pulumi/runProgram";
import { servicesVpcConfig } from "../../support/pulumi/stackNetworks";

/** `value` with every object key's first letter upper-cased: the component's inputs in the API's spelling. */
function apiSpelling(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiSpelling);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), apiSpelling(v)]));
}

describe("the local pipeline's Cloud Map service", function () {
  this.timeout(120_000);
  let moto: LocalMotoServer;
  let client: ServiceDiscoveryClient;
  let component: ProgramRun;
  const sent: { command: string; input: unknown }[] = [];

  before(async () => {
    [moto, component] = await Promise.all([
      LocalMotoServer.start(),
      runProgram({
        stack: "beta",
        configOverrides: servicesVpcConfig("beta"),
        account: {
          parameters: { "/shop/beta/database/password": "SecureString", "/shop/beta/payments/api_key": "SecureString" },
        },
      }),
    ]);
    client = new ServiceDiscoveryClient({ ...emulatorClientConfig(moto.endpoint), disableHostPrefix: true });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: context.commandName ?? "unknown", input: args.input });
        return next(args);
      },
      { step: "initialize", name: "recordCalls" },
    );
  });
  after(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it("is created with the inputs the component declares: an HTTP service with a custom health check, failureThreshold 1", async () => {
    assert.deepEqual(component.errors, []);
    const ids = await ensureServiceRegistry(client, pipelineNames("shop", "beta"));
    const namespaceInput = sent.find((c) => c.command === "CreateHttpNamespaceCommand")
      ?.input as CreateHttpNamespaceCommandInput;
    const serviceInput = sent.find((c) => c.command === "CreateServiceCommand")?.input as CreateServiceCommandInput;
    assert.ok(namespaceInput && serviceInput, `calls: ${sent.map((c) => c.command).join(", ")}`);

    const declaredNamespace = single(component, "aws:servicediscovery/httpNamespace:HttpNamespace").inputs;
    const declaredService = single(component, "aws:servicediscovery/service:Service").inputs;
    assert.equal(namespaceInput.Name, declaredNamespace.name);
    const pick = (input: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, input[k]]));
    assert.deepEqual(
      pick(serviceInput as unknown as Record<string, unknown>, ["Name", "Type", "HealthCheckCustomConfig"]),
      pick(apiSpelling(declaredService) as Record<string, unknown>, ["Name", "Type", "HealthCheckCustomConfig"]),
    );
    assert.deepEqual(serviceInput.HealthCheckCustomConfig, { FailureThreshold: 1 });

    const { Service } = await client.send(new GetServiceCommand({ Id: ids.serviceId }));
    assert.deepEqual(
      Service?.HealthCheckCustomConfig,
      { FailureThreshold: 1 },
      "the emulator holds the custom health check",
    );
  });
});
