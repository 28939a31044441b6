import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The account and the parameters a policy grants reading: the prefix and the two token SecureStrings. */
export interface ParameterReadScope {
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** `/<app>/<env>/`. */
  prefix: string;
  /** ARNs of the token SecureStrings the reader needs (its Redis password, the refresh token). */
  tokenParameterArns: pulumi.Input<string>[];
  /** Customer-managed KMS keys SecureStrings under the prefix are encrypted with (none: `aws/ssm` only). */
  kmsKeyArns?: pulumi.Input<string>[];
}

/**
 * `kms:Decrypt` on the customer-managed keys of the scope, only when SSM asks on the reader's behalf
 * (`kms:ViaService`), or no statement when there are none: the `aws/ssm` key needs no grant.
 *
 * @example
 * ```ts
 * decryptThroughSsm({ ...scope, kmsKeyArns: ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-..."] });
 * ```
 */
export function decryptThroughSsm(scope: ParameterReadScope): aws.iam.PolicyStatement[] {
  const keys = scope.kmsKeyArns ?? [];
  if (keys.length === 0) return [];
  return [
    {
      Sid: "DecryptSecureStringsThroughSsm",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: keys,
      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`ssm.${scope.region}.amazonaws.com` } },
    },
  ];
}

/**
 * The ARN of a parameter (or of a path, or a pattern such as `/shop/beta/*`) in the scope's account.
 *
 * @example
 * ```ts
 * parameterArn(scope, "/shop/beta/*"); // arn:aws:ssm:eu-west-1:123456789012:parameter/shop/beta/*
 * ```
 */
export function parameterArn(scope: ParameterReadScope, path: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:parameter${path}`;
}
