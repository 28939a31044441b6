import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { FAN_OUT_DEFAULTS } from "../environment";

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
  /** `MaxResults`, at most 1000 (Cloud Map's cap, the default). */
  maxResults?: number;
}

/** What Cloud Map answered. */
export interface Discovery {
  instances: DiscoveredInstance[];
  /**
   * The answer is as long as `MaxResults`: more instances may exist. `DiscoverInstances` has no
   * pagination (a random subset of at most 1000 comes back), so the others cannot be listed.
   */
  capped: boolean;
  /** The `MaxResults` asked for. */
  maxResults: number;
}

/**
 * The healthy instances of a Cloud Map service, optionally only those of one scope. `HealthStatus`
 * is `HEALTHY` explicitly: the API's default is all instances, and `HEALTHY_OR_ELSE_ALL` would call
 * the whole fleet, unhealthy included, whenever a scope has no healthy instance. An answer as long
 * as `maxResults` is reported `capped`: Cloud Map cannot say whether more instances exist.
 *
 * @example
 * ```ts
 * await discoverInstances(cloudMap, {
 *   namespaceName: "shop.beta",
 *   serviceName: "web",
 *   queryParameters: { tenant: "acme" },
 * });
 * ```
 */
export async function discoverInstances(client: ServiceDiscoveryClient, query: DiscoveryQuery): Promise<Discovery> {
  const maxResults = query.maxResults ?? FAN_OUT_DEFAULTS.discoveryMaxResults;
  const answer = await client.send(
    new DiscoverInstancesCommand({
      NamespaceName: query.namespaceName,
      ServiceName: query.serviceName,
      HealthStatus: "HEALTHY",
      MaxResults: maxResults,
      ...(query.queryParameters ? { QueryParameters: query.queryParameters } : {}),
    }),
  );
  const found = answer.Instances ?? [];
  return {
    instances: found.flatMap((instance) =>
      instance.InstanceId ? [toInstance(instance.InstanceId, instance.Attributes ?? {})] : [],
    ),
    capped: found.length >= maxResults,
    maxResults,
  };
}

function toInstance(instanceId: string, attributes: Record<string, string>): DiscoveredInstance {
  const port = Number(attributes.AWS_INSTANCE_PORT);
  const host =
    attributes.AWS_INSTANCE_IPV4 ?? (attributes.AWS_INSTANCE_IPV6 ? `[${attributes.AWS_INSTANCE_IPV6}]` : undefined);
  if (!host) return { instanceId, addressError: "registered without AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6" };
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    return {
      instanceId,
      addressError: `registered without a valid AWS_INSTANCE_PORT (${attributes.AWS_INSTANCE_PORT ?? "none"})`,
    };
  }
  return { instanceId, address: `${host}:${port}` };
}
