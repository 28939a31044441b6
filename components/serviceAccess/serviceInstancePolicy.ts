import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { decryptThroughSsm, parameterArn, type ParameterReadScope } from "../iam/parameterScope";

/** What a service instance's permissions are scoped to (the tokens: a service reads both at boot). */
export interface ServiceInstancePolicyScope extends ParameterReadScope {
  /** ARN of the Cloud Map service the instances register in. */
  serviceArn: pulumi.Input<string>;
}

/**
 * What a service instance that embeds the client needs, least privilege:
 * - `ssm:GetParametersByPath` on the prefix, which SSM authorizes against the requested path (with
 *   or without its trailing slash) rather than each parameter returned: the boot load and every reload;
 * - `ssm:GetParameter(s)` on the parameters under the prefix (a SecureString change is read at its
 *   exact version) and on the two token SecureStrings (the services' Redis password and the refresh token);
 * - `ssm:GetParameterHistory` on the parameters under the prefix: a start whose schema refuses a
 *   current value walks its history to the last valid version;
 * - `kms:Decrypt` on the customer-managed keys given, through SSM only (`decryptThroughSsm`);
 * - register, deregister and report the health of its own instance in the Cloud Map service.
 *
 * SecureStrings under the default `aws/ssm` key need no `kms:Decrypt` grant (that key's policy
 * admits every principal of the account through SSM). Redis and the refresh calls are network
 * access (the service security group) and their own credentials, not IAM.
 *
 * @example
 * ```ts
 * new aws.iam.Policy("shop-beta-service-instance", { policy: pulumi.jsonStringify(serviceInstancePolicy(scope)) });
 * ```
 */
export function serviceInstancePolicy(scope: ServiceInstancePolicyScope): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LoadConfigurationByPath",
        Effect: "Allow",
        Action: ["ssm:GetParametersByPath"],
        Resource: [parameterArn(scope, scope.prefix.replace(/\/$/, "")), parameterArn(scope, scope.prefix)],
      },
      {
        Sid: "ReadConfigurationAndTokens",
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: [parameterArn(scope, `${scope.prefix}*`), ...scope.tokenParameterArns],
      },
      {
        Sid: "ReadConfigurationHistory",
        Effect: "Allow",
        Action: ["ssm:GetParameterHistory"],
        Resource: [parameterArn(scope, `${scope.prefix}*`)],
      },
      {
        Sid: "RegisterInstanceInCloudMap",
        Effect: "Allow",
        Action: [
          "servicediscovery:RegisterInstance",
          "servicediscovery:DeregisterInstance",
          "servicediscovery:UpdateInstanceCustomHealthStatus",
        ],
        Resource: [scope.serviceArn],
      },
      ...decryptThroughSsm(scope),
    ],
  };
}
