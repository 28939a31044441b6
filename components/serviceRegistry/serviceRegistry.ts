import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_SERVICE } from "../../runtime/protocol/pipelineContract";
import { createRefreshToken } from "./refreshToken";

/** Type token of {@link ServiceRegistry}. */
export const SERVICE_REGISTRY_TYPE = "config-refresh-pipeline:serviceRegistry:ServiceRegistry";

/** Arguments of {@link ServiceRegistry} (defaults already applied by the pipeline). */
export interface ServiceRegistryArgs {
  /** Name of the Cloud Map HTTP namespace. */
  namespaceName: string;
  /** Name of the Cloud Map service in it. */
  serviceName: string;
  /** Name of the SecureString that will hold the refresh token. */
  refreshTokenParameterName: string;
  /** Tags of every resource. */
  tags: Record<string, string>;
  /** `protect` the namespace and the service: Pulumi refuses to delete them while instances may be registered. */
  protect?: boolean;
}

/**
 * Where service instances register at boot and the refresh function finds them: a Cloud Map HTTP
 * namespace (API discovery only, no DNS) and a service with a custom health check (instances
 * report their own health), plus the token refresh calls carry.
 *
 * @example
 * ```ts
 * const registry = new ServiceRegistry("shop-beta", { namespaceName: "config-refresh-shop-beta", serviceName: "shop",
 *   refreshTokenParameterName: "/config-refresh/shop/beta/refresh-token", tags: {} });
 * ```
 */
export class ServiceRegistry extends pulumi.ComponentResource {
  /** Id of the namespace (`ns-…`). */
  public readonly namespaceId: pulumi.Output<string>;
  /** The name `DiscoverInstances` takes (the namespace's HttpName). */
  public readonly namespaceName: pulumi.Output<string>;
  /** ARN of the namespace. */
  public readonly namespaceArn: pulumi.Output<string>;
  /** Id of the service (`srv-…`): what instances register with. */
  public readonly serviceId: pulumi.Output<string>;
  /** Name of the service: what `DiscoverInstances` takes. */
  public readonly serviceName: pulumi.Output<string>;
  /** ARN of the service: what instances need `RegisterInstance` on. */
  public readonly serviceArn: pulumi.Output<string>;
  /** The SecureString holding the refresh token. */
  public readonly refreshTokenParameter: aws.ssm.Parameter;

  public constructor(name: string, args: ServiceRegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(SERVICE_REGISTRY_TYPE, name, {}, opts);
    const protection = args.protect ? { protect: true } : {};
    const namespace = new aws.servicediscovery.HttpNamespace(
      `${name}-namespace`,
      {
        name: args.namespaceName,
        description: `config-refresh instances of ${name}`,
        tags: args.tags,
      },
      { parent: this, ...protection },
    );
    const service = new aws.servicediscovery.Service(
      `${name}-service`,
      {
        name: args.serviceName,
        namespaceId: namespace.id,
        // The contract's definition, which the local pipeline creates too:
        // see REGISTRY_SERVICE for why failureThreshold.
        type: REGISTRY_SERVICE.type,
        description: `Instances that embed the config-refresh client (${name})`,
        healthCheckCustomConfig: { failureThreshold: REGISTRY_SERVICE.healthCheckCustomConfig.failureThreshold },
        tags: args.tags,
      },
      { parent: this, ...protection },
    );
    this.refreshTokenParameter = createRefreshToken(name, args.refreshTokenParameterName, args.tags, this).parameter;
    this.namespaceId = namespace.id;
    this.namespaceName = namespace.httpName;
    this.namespaceArn = namespace.arn;
    this.serviceId = service.id;
    this.serviceName = service.name;
    this.serviceArn = service.arn;
    this.registerOutputs({
      namespaceId: this.namespaceId,
      namespaceName: this.namespaceName,
      serviceId: this.serviceId,
      serviceName: this.serviceName,
      refreshTokenParameterName: this.refreshTokenParameter.name,
    });
  }
}
