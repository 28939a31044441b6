import type { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsConnection } from "../../operator/aws/awsConnection";
import { readSecureString } from "../../operator/aws/readSecureString";

/**
 * Reads the refresh token (a SecureString, decrypted). In AWS the component generated it; a missing
 * one means the stack was not deployed to this account and region.
 */
export function readRefreshToken(ssm: SSMClient, connection: AwsConnection, parameterName: string): Promise<string> {
  return readSecureString(ssm, connection, parameterName, {
    what: "the refresh token",
    missingHint: "the component creates it: deploy the stack to this account and region first (pulumi up)",
  });
}
