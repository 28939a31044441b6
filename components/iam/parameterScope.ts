import * as pulumi from "@pulumi/pulumi";

/** The account and the parameters a policy grants reading: the prefix and the two token SecureStrings. */
export interface ParameterReadScope {
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** `/<app>/<env>/`. */
  prefix: string;
  /** ARNs of the AUTH-token and refresh-token SecureStrings. */
  tokenParameterArns: pulumi.Input<string>[];
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
