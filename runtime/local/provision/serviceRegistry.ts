import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  type ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { REGISTRY_SERVICE } from "../../protocol/pipelineContract";
import { LocalPipelineError } from "../errors";

/** The Cloud Map namespace and service the instances register in. */
export interface ServiceRegistryIds {
  namespaceId: string;
  serviceId: string;
  /** True when this call created the namespace or the service. */
  created: boolean;
}

/** Pages of ListNamespaces / ListServices read at most (100 per page). */
const MAX_PAGES = 50;
/** Polls of GetOperation while AWS creates a namespace (it takes seconds there; moto answers SUCCESS at once). */
const OPERATION_POLLS = 120;
const OPERATION_POLL_MS = 500;

/**
 * Finds or creates what the component's `ServiceRegistry` declares: an HTTP namespace (API
 * discovery only) and the service the pipeline contract defines (`REGISTRY_SERVICE`: a custom
 * health check the instances report themselves).
 * Idempotent: run again against the same endpoint, it reuses both.
 *
 * @example
 * ```ts
 * const { serviceId } = await ensureServiceRegistry(cloudMap, {
 *   namespaceName: "config-refresh-shop-beta",
 *   serviceName: "shop",
 * });
 * ```
 */
export async function ensureServiceRegistry(
  client: ServiceDiscoveryClient,
  names: { namespaceName: string; serviceName: string },
): Promise<ServiceRegistryIds> {
  let created = false;
  let namespaceId = await findNamespace(client, names.namespaceName);
  if (!namespaceId) {
    const { OperationId } = await client.send(
      new CreateHttpNamespaceCommand({
        Name: names.namespaceName,
        Description: "config-refresh instances (local pipeline)",
      }),
    );
    namespaceId = await namespaceOfOperation(client, OperationId ?? "");
    created = true;
  }
  let serviceId = await findService(client, namespaceId, names.serviceName);
  if (!serviceId) {
    // The contract's definition, the one the component declares.
    const { Service } = await client.send(
      new CreateServiceCommand({
        Name: names.serviceName,
        NamespaceId: namespaceId,
        Type: REGISTRY_SERVICE.type,
        Description: "Instances that embed the config-refresh client (local pipeline)",
        HealthCheckCustomConfig: { FailureThreshold: REGISTRY_SERVICE.healthCheckCustomConfig.failureThreshold },
      }),
    );
    serviceId = Service?.Id;
    if (!serviceId) throw new LocalPipelineError(`Cloud Map created service ${names.serviceName} without an id`);
    created = true;
  }
  return { namespaceId, serviceId, created };
}

async function findNamespace(client: ServiceDiscoveryClient, name: string): Promise<string | undefined> {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.send(
      new ListNamespacesCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
    );
    const found = (answer.Namespaces ?? []).find((namespace) => namespace.Name === name && namespace.Type === "HTTP");
    if (found?.Id) return found.Id;
    token = answer.NextToken;
    if (!token) return undefined;
  }
  return undefined;
}

async function findService(
  client: ServiceDiscoveryClient,
  namespaceId: string,
  name: string,
): Promise<string | undefined> {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.send(
      new ListServicesCommand({
        MaxResults: 100,
        Filters: [{ Name: "NAMESPACE_ID", Values: [namespaceId], Condition: "EQ" }],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    const found = (answer.Services ?? []).find((service) => service.Name === name);
    if (found?.Id) return found.Id;
    token = answer.NextToken;
    if (!token) return undefined;
  }
  return undefined;
}

async function namespaceOfOperation(client: ServiceDiscoveryClient, operationId: string): Promise<string> {
  for (let poll = 0; poll < OPERATION_POLLS; poll++) {
    const { Operation } = await client.send(new GetOperationCommand({ OperationId: operationId }));
    if (Operation?.Status === "SUCCESS" && Operation.Targets?.NAMESPACE) return Operation.Targets.NAMESPACE;
    if (Operation?.Status === "FAIL")
      throw new LocalPipelineError(
        "Cloud Map could not create the namespace: " +
          `${Operation.ErrorMessage ?? Operation.ErrorCode ?? "no reason given"}`,
      );
    await new Promise((resolve) => setTimeout(resolve, OPERATION_POLL_MS));
  }
  throw new LocalPipelineError(
    `Cloud Map did not finish creating the namespace within ${(OPERATION_POLLS * OPERATION_POLL_MS) / 1000} s ` +
      `(operation ${operationId})`,
  );
}
