import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { status } from "@grpc/grpc-js";

/** One instance registered in Cloud Map, as the commands call it. */
export interface RegisteredInstance {
  instanceId: string;
  /** `host:port` registered in Cloud Map (empty when none). */
  address: string;
  /** Cloud Map health status (`HEALTHY`, `UNHEALTHY`, `UNKNOWN`). */
  health: string;
}

/** Where a fleet is registered, and the token its calls carry. */
export interface FleetLocation {
  ssm: SSMClient;
  /** Built with `disableHostPrefix` against an emulator. */
  serviceDiscovery: ServiceDiscoveryClient;
  namespaceName: string;
  serviceName: string;
  /** SecureString holding the token every refresh call carries. */
  refreshTokenParameter: string;
}

/**
 * Every instance registered in the service, healthy or not, with its refresh address.
 *
 * @example
 * ```ts
 * const instances = await discoverRegisteredInstances(serviceDiscovery, "config-refresh-shop-beta", "shop");
 * ```
 */
export async function discoverRegisteredInstances(
  client: ServiceDiscoveryClient,
  namespaceName: string,
  serviceName: string,
): Promise<RegisteredInstance[]> {
  const answer = await client.send(
    new DiscoverInstancesCommand({
      NamespaceName: namespaceName,
      ServiceName: serviceName,
      HealthStatus: "ALL",
      MaxResults: 1_000,
    }),
  );
  return (answer.Instances ?? []).map((instance) => {
    const attributes = instance.Attributes ?? {};
    const host =
      attributes.AWS_INSTANCE_IPV4 ?? (attributes.AWS_INSTANCE_IPV6 ? `[${attributes.AWS_INSTANCE_IPV6}]` : undefined);
    const port = attributes.AWS_INSTANCE_PORT;
    return {
      instanceId: instance.InstanceId ?? "?",
      address: host && port ? `${host}:${port}` : "",
      health: instance.HealthStatus ?? "UNKNOWN",
    };
  });
}

/**
 * The refresh token (read with decryption) and every registered instance, read in parallel; the
 * token's failure is thrown first, so a missing pipeline always gets the same explanation.
 *
 * @throws the AWS SDK's error (see `explainFleetReadError`).
 */
export async function readFleetLocation(
  location: FleetLocation,
): Promise<{ token: string; instances: RegisteredInstance[] }> {
  const [token, instances] = await Promise.allSettled([
    location.ssm
      .send(new GetParameterCommand({ Name: location.refreshTokenParameter, WithDecryption: true }))
      .then((answer) => answer.Parameter?.Value ?? ""),
    discoverRegisteredInstances(location.serviceDiscovery, location.namespaceName, location.serviceName),
  ]);
  if (token.status === "rejected") throw token.reason;
  if (instances.status === "rejected") throw instances.reason;
  return { token: token.value, instances: instances.value };
}

/** A call that got no answer: its deadline passed, or the connection found no route (not a refusal). */
export function gotNoAnswer(error: unknown): boolean {
  const { code, message } = error as { code?: number; message?: string };
  if (code === status.DEADLINE_EXCEEDED) return true;
  return code === status.UNAVAILABLE && /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out/i.test(message ?? "");
}
