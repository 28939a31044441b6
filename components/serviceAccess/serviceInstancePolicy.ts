import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What a service instance's permissions are scoped to. */
export interface ServiceInstancePolicyScope {
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** `/<app>/<env>/`: the path the client loads. */
  prefix: string;
  /** ARNs of the AUTH-token and refresh-token SecureStrings, which a service reads at boot. */
  tokenParameterArns: pulumi.Input<string>[];
  /** ARN of the Cloud Map service the instances register in. */
  serviceArn: pulumi.Input<string>;
}

/**
 * What a service instance that embeds the client needs, least privilege:
 * - `ssm:GetParametersByPath` on the prefix, which SSM authorizes against the requested path (with
 *   or without its trailing slash) rather than each parameter returned: the boot load and every reload;
 * - `ssm:GetParameter(s)` on the parameters under the prefix (a SecureString change is read at its
 *   exact version) and on the two token SecureStrings (the Redis AUTH token and the refresh token);
 * - register, deregister and report the health of its own instance in the Cloud Map service.
 *
 * SecureStrings under the default `aws/ssm` key need no `kms:Decrypt` grant (that key's policy
 * admits every principal of the account through SSM). Redis and the refresh calls are network
 * access (the service security group), not IAM.
 *
 * @example
 * ```ts
 * new aws.iam.Policy("shop-beta-service-instance", { policy: pulumi.jsonStringify(serviceInstancePolicy(scope)) });
 * ```
 */
export function serviceInstancePolicy(scope: ServiceInstancePolicyScope): aws.iam.PolicyDocument {
  const parameterArn = (path: string): pulumi.Input<string> =>
    pulumi.interpolate`arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:parameter${path}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LoadConfigurationByPath",
        Effect: "Allow",
        Action: ["ssm:GetParametersByPath"],
        Resource: [parameterArn(scope.prefix.replace(/\/$/, "")), parameterArn(scope.prefix)],
      },
      {
        Sid: "ReadConfigurationAndTokens",
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: [parameterArn(`${scope.prefix}*`), ...scope.tokenParameterArns],
      },
      {
        Sid: "RegisterInstanceInCloudMap",
        Effect: "Allow",
        Action: ["servicediscovery:RegisterInstance", "servicediscovery:DeregisterInstance", "servicediscovery:UpdateInstanceCustomHealthStatus"],
        Resource: [scope.serviceArn],
      },
    ],
  };
}
