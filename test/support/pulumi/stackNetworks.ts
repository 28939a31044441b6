/**
 * The network config a test gives a stack of this repository in place of the committed placeholders:
 * the services' VPC (mock ids of the shape AWS uses), or the created VPC for trying it out.
 */
const NS = "config-refresh-pipeline";

/** Zones of the services' VPC per stack (production spreads over three). */
const ZONES: Record<string, number> = { beta: 2, staging: 2, production: 3 };

/** The services' VPC id a test gives `stack`. */
export const servicesVpcId = (stack: string): string => `vpc-0${stack}services`;

/** The services' private subnet ids a test gives `stack`, one per zone. */
export const servicesSubnetIds = (stack: string): string[] =>
  Array.from({ length: ZONES[stack] ?? 2 }, (_, zone) => `subnet-0${stack}${"abc"[zone]}`);

/** Config overrides for the real-account path: `network: services-vpc` with the ids above. */
export function servicesVpcConfig(stack: string): Record<string, string> {
  return {
    [`${NS}:network`]: "services-vpc",
    [`${NS}:vpcId`]: servicesVpcId(stack),
    [`${NS}:subnetIds`]: JSON.stringify(servicesSubnetIds(stack)),
  };
}

/** Config overrides for the created VPC (`createdVpc` of the stack's yaml). */
export const CREATED_VPC_CONFIG: Readonly<Record<string, string>> = { [`${NS}:network`]: "created-vpc" };
