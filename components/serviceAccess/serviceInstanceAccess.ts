import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceInstancePolicy, type ServiceInstancePolicyScope } from "./serviceInstancePolicy";

/** Type token of {@link ServiceInstanceAccess}. */
export const SERVICE_INSTANCE_ACCESS_TYPE = "config-refresh-pipeline:serviceAccess:ServiceInstanceAccess";

/** Arguments of {@link ServiceInstanceAccess} (the account, region and partition are looked up). */
export interface ServiceInstanceAccessArgs
  extends Omit<ServiceInstancePolicyScope, "partition" | "region" | "accountId"> {
  /** Tags of the policy. */
  tags: Record<string, string>;
}

/**
 * The managed IAM policy a service team attaches to its task or instance role so that the client
 * can load the configuration, read the tokens and register in Cloud Map: nothing more
 * ({@link serviceInstancePolicy}). Attach it with `aws.iam.RolePolicyAttachment`.
 *
 * @example
 * ```ts
 * const access = new ServiceInstanceAccess("shop-beta", {
 *   prefix: "/shop/beta/", tokenParameterArns, serviceArn, tags: {},
 * });
 * new aws.iam.RolePolicyAttachment("shop-task-config", { role: taskRole.name, policyArn: access.policyArn });
 * ```
 */
export class ServiceInstanceAccess extends pulumi.ComponentResource {
  /** ARN of the managed policy. */
  public readonly policyArn: pulumi.Output<string>;

  public constructor(name: string, args: ServiceInstanceAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(SERVICE_INSTANCE_ACCESS_TYPE, name, {}, opts);
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const policy = new aws.iam.Policy(
      `${name}-service-instance`,
      {
        description: `What a service instance embedding the config-refresh client of ${args.prefix} needs`,
        policy: pulumi.jsonStringify(serviceInstancePolicy({ ...args, partition, region, accountId })),
        tags: args.tags,
      },
      { parent: this },
    );
    this.policyArn = policy.arn;
    this.registerOutputs({ policyArn: this.policyArn });
  }
}
