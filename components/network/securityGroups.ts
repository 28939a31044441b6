import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Type token of {@link PipelineSecurityGroups}. */
export const PIPELINE_SECURITY_GROUPS_TYPE = "config-refresh-pipeline:network:PipelineSecurityGroups";

/** Arguments of {@link PipelineSecurityGroups}. */
export interface PipelineSecurityGroupsArgs {
  /** The VPC the groups belong to. */
  vpcId: pulumi.Input<string>;
  /** Port of the stream host. */
  redisPort: number;
  /** Port of the instances' gRPC refresh server. */
  refreshPort: number;
  /** Further groups admitted to the stream host. */
  extraRedisClientGroupIds: pulumi.Input<string>[];
  /** Tags of every group and rule. */
  tags: Record<string, string>;
}

/** AWS APIs (SSM, Cloud Map, SQS) have no fixed addresses: HTTPS goes out through NAT or VPC endpoints. */
const AWS_API_EGRESS = { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 } as const;

/**
 * The three security groups of the pipeline and every rule between them, in one place so the
 * traffic matrix reads at once (the groups reference each other, so apart they would need a
 * cycle-breaking dance):
 *
 * | group | in | out |
 * | --- | --- | --- |
 * | function | nothing | HTTPS to AWS APIs; Redis port to the stream host; refresh port to the services |
 * | stream host | Redis port from the function, the services and the extra groups | nothing |
 * | service (instances attach it) | refresh port from the function | Redis port to the stream host; HTTPS to AWS APIs |
 *
 * Groups are created without inline rules, so the provider removes AWS's default allow-all egress.
 *
 * @example
 * ```ts
 * const groups = new PipelineSecurityGroups("shop-beta", {
 *   vpcId, redisPort: 6379, refreshPort: 50051, extraRedisClientGroupIds: [], tags: {},
 * });
 * ```
 */
export class PipelineSecurityGroups extends pulumi.ComponentResource {
  /** Attached to the refresh function. */
  public readonly functionGroupId: pulumi.Output<string>;
  /** Attached to the stream host. */
  public readonly redisGroupId: pulumi.Output<string>;
  /** For service instances to attach: reach the stream host, receive refresh calls. */
  public readonly serviceGroupId: pulumi.Output<string>;

  public constructor(name: string, args: PipelineSecurityGroupsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(PIPELINE_SECURITY_GROUPS_TYPE, name, {}, opts);
    const group = (suffix: string, description: string): aws.ec2.SecurityGroup =>
      new aws.ec2.SecurityGroup(
        `${name}-${suffix}`,
        { vpcId: args.vpcId, description, tags: { ...args.tags, Name: `${name}-${suffix}` } },
        { parent: this },
      );
    const fn = group("function", "config-refresh: the refresh function");
    const redis = group("redis", "config-refresh: the Redis stream host");
    const service = group("service", "config-refresh: service instances that embed the client");
    const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
    const ingress = (
      rule: string,
      groupId: pulumi.Input<string>,
      from: pulumi.Input<string>,
      port: number,
      description: string,
    ) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${rule}`,
        { securityGroupId: groupId, referencedSecurityGroupId: from, ...tcp(port), description, tags: args.tags },
        { parent: this },
      );
    const egress = (
      rule: string,
      groupId: pulumi.Input<string>,
      rest: Omit<aws.vpc.SecurityGroupEgressRuleArgs, "securityGroupId">,
    ) =>
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-${rule}`,
        { securityGroupId: groupId, tags: args.tags, ...rest },
        { parent: this },
      );

    ingress("redis-from-function", redis.id, fn.id, args.redisPort, "Redis from the refresh function");
    ingress("redis-from-service", redis.id, service.id, args.redisPort, "Redis from service instances");
    args.extraRedisClientGroupIds.forEach((groupId, i) => {
      ingress(`redis-from-extra-${i}`, redis.id, groupId, args.redisPort, "Redis from an extra client group");
    });
    ingress(
      "service-from-function",
      service.id,
      fn.id,
      args.refreshPort,
      "gRPC refresh calls from the refresh function",
    );

    egress("function-to-aws-apis", fn.id, { ...AWS_API_EGRESS, description: "HTTPS to the SSM and Cloud Map APIs" });
    egress("function-to-redis", fn.id, {
      referencedSecurityGroupId: redis.id,
      ...tcp(args.redisPort),
      description: "Redis stream host",
    });
    egress("function-to-service", fn.id, {
      referencedSecurityGroupId: service.id,
      ...tcp(args.refreshPort),
      description: "gRPC refresh calls to service instances",
    });
    egress("service-to-redis", service.id, {
      referencedSecurityGroupId: redis.id,
      ...tcp(args.redisPort),
      description: "Redis stream host",
    });
    egress("service-to-aws-apis", service.id, {
      ...AWS_API_EGRESS,
      description: "HTTPS to the SSM and Cloud Map APIs (boot load, registration)",
    });

    this.functionGroupId = fn.id;
    this.redisGroupId = redis.id;
    this.serviceGroupId = service.id;
    this.registerOutputs({
      functionGroupId: this.functionGroupId,
      redisGroupId: this.redisGroupId,
      serviceGroupId: this.serviceGroupId,
    });
  }
}
