import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { decryptThroughSsm, parameterArn, type ParameterReadScope } from "../iam/parameterScope";

/** What the refresh function's permissions are scoped to. */
export interface RefreshFunctionPolicyScope extends ParameterReadScope {
  /** Cloud Map namespace (HttpName) and service the function discovers instances in. */
  namespaceName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** ARN of that Cloud Map service: the function deregisters the stale registrations it finds there. */
  serviceArn: pulumi.Input<string>;
  /** The dead-letter queue (on-failure destination). */
  deadLetterQueueArn: pulumi.Input<string>;
  /** The function's own log group (ARN without the `:*` suffix). */
  logGroupArn: pulumi.Input<string>;
  /** Reverts refused values: may read the history of and write the parameters under the prefix. */
  revertRefusedValues?: boolean;
}

/**
 * Actions AWS only grants on `Resource: "*"`: the ENI calls Lambda makes with the execution role
 * to attach the function to the VPC (the same list as the managed AWSLambdaVPCAccessExecutionRole).
 */
export const VPC_ACCESS_ACTIONS = [
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
];

/**
 * The refresh function's permissions, least privilege:
 * - read the parameters under the prefix and the two token SecureStrings, nothing else in SSM, and
 *   `GetParametersByPath` on the prefix (the reconciler's sweep)
 *   (SecureStrings under the default `aws/ssm` key need no `kms:Decrypt` grant: that key's policy
 *   admits every principal of the account through SSM; customer-managed keys: `decryptThroughSsm`);
 * - `servicediscovery:DiscoverInstances`, which has no resource-level ARN: scoped with the
 *   `servicediscovery:NamespaceName` / `ServiceName` condition keys instead;
 * - `servicediscovery:DeregisterInstance` on its service only (stale registrations of killed tasks);
 * - send to the dead-letter queue (Lambda's on-failure destination uses the execution role);
 * - write to its own log group;
 * - the VPC ENI actions, which AWS only grants on `*` ({@link VPC_ACCESS_ACTIONS});
 * - only with `revertRefusedValues`: `ssm:GetParameterHistory` and `ssm:PutParameter` on the
 *   parameters under the prefix (the tokens stay read-only).
 *
 * @example
 * ```ts
 * new aws.iam.RolePolicy("refresh", { role: role.id, policy: pulumi.jsonStringify(refreshFunctionPolicy(scope)) });
 * ```
 */
export function refreshFunctionPolicy(scope: RefreshFunctionPolicyScope): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // The reconciler's sweep: SSM authorizes the requested path, with or without its trailing slash.
        Sid: "SweepConfigurationByPath",
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
      ...decryptThroughSsm(scope),
      {
        Sid: "DiscoverServiceInstances",
        Effect: "Allow",
        Action: ["servicediscovery:DiscoverInstances"],
        Resource: ["*"],
        Condition: {
          StringEquals: {
            "servicediscovery:NamespaceName": scope.namespaceName,
            "servicediscovery:ServiceName": scope.serviceName,
          },
        },
      },
      {
        Sid: "DeregisterStaleInstances",
        Effect: "Allow",
        Action: ["servicediscovery:DeregisterInstance"],
        Resource: [scope.serviceArn],
      },
      {
        Sid: "SendFailedEventsToDeadLetterQueue",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [scope.deadLetterQueueArn],
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [pulumi.interpolate`${scope.logGroupArn}:*`],
      },
      {
        Sid: "AttachToVpc",
        Effect: "Allow",
        Action: VPC_ACCESS_ACTIONS,
        Resource: ["*"],
      },
      ...(scope.revertRefusedValues
        ? [
            {
              Sid: "RevertRefusedValues",
              Effect: "Allow" as const,
              Action: ["ssm:GetParameterHistory", "ssm:PutParameter"],
              Resource: [parameterArn(scope, `${scope.prefix}*`)],
            },
          ]
        : []),
    ],
  };
}
