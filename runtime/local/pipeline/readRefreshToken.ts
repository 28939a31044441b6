import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { AwsConnection } from "../../operator/aws/awsConnection";
import { explainAwsError } from "../../operator/aws/explainAwsError";
import { ParameterNotFoundError } from "../../operator/errors";

/**
 * Reads the refresh token (a SecureString, decrypted). In AWS the component generated it; a missing
 * one means the stack was not deployed to this account and region.
 */
export async function readRefreshToken(ssm: SSMClient, connection: AwsConnection, parameterName: string): Promise<string> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    return Parameter?.Value ?? "";
  } catch (error) {
    const explained = explainAwsError(error, { connection, service: "SSM", action: `read the refresh token ${parameterName}`, parameterName });
    if (explained instanceof ParameterNotFoundError) {
      throw new ParameterNotFoundError(parameterName, "the component creates it: deploy the stack to this account and region first (pulumi up)");
    }
    throw explained;
  }
}
