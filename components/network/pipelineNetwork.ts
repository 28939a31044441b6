import type * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NatGatewayPlacement } from "../pipeline/args";

/** Type token of {@link PipelineNetwork}. */
export const PIPELINE_NETWORK_TYPE = "config-refresh-pipeline:network:PipelineNetwork";

/** Arguments of {@link PipelineNetwork}: an existing VPC, or the settings of one to create. */
export type PipelineNetworkArgs =
  | { kind: "existing"; vpcId: pulumi.Input<string>; subnetIds: pulumi.Input<string>[] }
  | {
      kind: "created";
      availabilityZoneCount: number;
      natGateways: NatGatewayPlacement;
      cidrBlock: string;
      tags: Record<string, string>;
    };

/**
 * The VPC and private subnets the refresh function and the stream host live in: the ones given,
 * or a new VPC (`awsx.ec2.Vpc`, private + public subnet per zone, NAT so the function reaches the
 * SSM and Cloud Map APIs).
 *
 * @example
 * ```ts
 * const network = new PipelineNetwork("shop-beta", {
 *   kind: "created", availabilityZoneCount: 2, natGateways: "Single", cidrBlock: "10.0.0.0/16", tags: {},
 * });
 * network.privateSubnetIds; // Output<string[]>
 * ```
 */
export class PipelineNetwork extends pulumi.ComponentResource {
  /** The VPC. */
  public readonly vpcId: pulumi.Output<string>;
  /** Private subnets (no public IPs; outbound through NAT). */
  public readonly privateSubnetIds: pulumi.Output<string[]>;

  public constructor(name: string, args: PipelineNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(PIPELINE_NETWORK_TYPE, name, {}, opts);
    if (args.kind === "existing") {
      this.vpcId = pulumi.output(args.vpcId);
      this.privateSubnetIds = pulumi.output(args.subnetIds);
    } else {
      const vpc = new (loadAwsx().ec2.Vpc)(
        `${name}-vpc`,
        {
          cidrBlock: args.cidrBlock,
          numberOfAvailabilityZones: args.availabilityZoneCount,
          natGateways: { strategy: args.natGateways },
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: args.tags,
        },
        { parent: this },
      );
      this.vpcId = vpc.vpcId;
      this.privateSubnetIds = vpc.privateSubnetIds;
    }
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}

/**
 * `@pulumi/awsx` is an optional peer dependency: only a program that lets the pipeline create its
 * VPC needs it, so it is loaded here rather than when the package is imported.
 */
function loadAwsx(): typeof awsx {
  try {
    return require("@pulumi/awsx") as typeof awsx;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      "creating the pipeline's VPC needs @pulumi/awsx (npm install @pulumi/awsx), " +
        "or give vpcId and subnetIds of an existing VPC",
    );
  }
}
