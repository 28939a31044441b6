import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";

/** A healthy instance found in Cloud Map. */
export interface DiscoveredInstance {
  instanceId: string;
  /** `host:port` from the `AWS_INSTANCE_IPV4` (or `AWS_INSTANCE_IPV6`) and `AWS_INSTANCE_PORT` attributes. */
  address?: string;
  /** Why there is no address (the instance registered without one). */
  addressError?: string;
}

/** Where to look. */
export interface DiscoveryQuery {
  namespaceName: string;
  serviceName: string;
  /** Custom attributes the instances must have (a scope), e.g. `{tenant: "acme"}`. */
  queryParameters?: Record<string, string>;
}

/** DiscoverInstances' largest page. */
const MAX_RESULTS = 1000;

/**
 * The healthy instances of a Cloud Map service, optionally only those of one scope. `HealthStatus`
 * is `HEALTHY` explicitly: the API's default is all instances, and `HEALTHY_OR_ELSE_ALL` would call
 * the whole fleet, unhealthy included, whenever a scope has no healthy instance.
 *
 * @example
 * ```ts
 * await discoverInstances(cloudMap, { namespaceName: "shop.beta", serviceName: "web", queryParameters: { tenant: "acme" } });
 * ```
 */
export async function discoverInstances(client: ServiceDiscoveryClient, query: DiscoveryQuery): Promise<DiscoveredInstance[]> {
  const answer = await client.send(new DiscoverInstancesCommand({
    NamespaceName: query.namespaceName,
    ServiceName: query.serviceName,
    HealthStatus: "HEALTHY",
    MaxResults: MAX_RESULTS,
    ...(query.queryParameters ? { QueryParameters: query.queryParameters } : {}),
  }));
  return (answer.Instances ?? []).flatMap((instance) => (instance.InstanceId ? [toInstance(instance.InstanceId, instance.Attributes ?? {})] : []));
}

function toInstance(instanceId: string, attributes: Record<string, string>): DiscoveredInstance {
  const port = Number(attributes.AWS_INSTANCE_PORT);
  const host = attributes.AWS_INSTANCE_IPV4 ?? (attributes.AWS_INSTANCE_IPV6 ? `[${attributes.AWS_INSTANCE_IPV6}]` : undefined);
  if (!host) return { instanceId, addressError: "registered without AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6" };
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    return { instanceId, addressError: `registered without a valid AWS_INSTANCE_PORT (${attributes.AWS_INSTANCE_PORT ?? "none"})` };
  }
  return { instanceId, address: `${host}:${port}` };
}
