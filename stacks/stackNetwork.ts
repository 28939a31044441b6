/**
 * Where a stack of this repository puts the pipeline, from `Pulumi.<stack>.yaml`:
 * `network: services-vpc` (the real-account path: `vpcId` and `subnetIds` of the VPC the services
 * run in, since a security group works only inside its own VPC) or `network: created-vpc` (a VPC of
 * the pipeline's own, `createdVpc`, for trying it out: no existing service can reach it).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ConfigRefreshPipelineArgs } from "../components";

/** The network arguments a stack passes to the pipeline. */
export type StackNetworkArgs = Pick<ConfigRefreshPipelineArgs, "vpcId" | "subnetIds" | "createdVpc">;

/** The network choices a stack's config may make. */
export const NETWORK_CHOICES = ["services-vpc", "created-vpc"] as const;

/** What the committed `Pulumi.<stack>.yaml` files hold until a person sets the real ids. */
export const PLACEHOLDER_MARK = "REPLACE";

/**
 * The network arguments of the pipeline for `stack`, from its config.
 *
 * @throws Error naming the setting to change, for an unknown choice, a missing id, or an id that
 * is still the committed placeholder.
 *
 * @example
 * ```ts
 * const network = stackNetwork(new pulumi.Config(), pulumi.getStack());  // { vpcId, subnetIds } or { createdVpc }
 * ```
 */
export function stackNetwork(config: pulumi.Config, stack: string): StackNetworkArgs {
  const key = (name: string): string => `${config.name}:${name}`;
  const choice = config.get("network") ?? "services-vpc";
  if (choice === "created-vpc") {
    return { createdVpc: config.getObject<ConfigRefreshPipelineArgs["createdVpc"]>("createdVpc") ?? {} };
  }
  if (choice !== "services-vpc") {
    const choices = NETWORK_CHOICES.join(", ");
    throw new Error(`Pulumi.${stack}.yaml: ${key("network")} must be one of ${choices}, got ${JSON.stringify(choice)}`);
  }
  const vpcId = config.get("vpcId");
  const subnetIds = config.getObject<string[]>("subnetIds");
  const placeholder = (id: unknown): boolean => String(id).includes(PLACEHOLDER_MARK);
  const unset = [
    ...(vpcId === undefined || placeholder(vpcId) ? [key("vpcId")] : []),
    ...(subnetIds === undefined || subnetIds.length === 0 || subnetIds.some(placeholder) ? [key("subnetIds")] : []),
  ];
  if (unset.length > 0) {
    throw new Error(
      `Pulumi.${stack}.yaml: set ${unset.join(" and ")} to the VPC your services run in and its private subnets ` +
        `(the committed file holds placeholders): pulumi config set ${key("vpcId")} vpc-..., ` +
        `pulumi config set --path '${key("subnetIds")}[0]' subnet-... (one per zone). ` +
        `To try the pipeline in a VPC of its own instead, pulumi config set ${key("network")} created-vpc`,
    );
  }
  return { vpcId, subnetIds };
}
