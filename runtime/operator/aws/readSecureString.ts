import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { ParameterNotFoundError } from "../errors";
import type { AwsConnection } from "./awsConnection";
import { explainAwsError } from "./explainAwsError";

/**
 * Reads a SecureString with decryption (a token, a password). A missing one is a
 * `ParameterNotFoundError` carrying `missingHint`; other failures are explained (`explainAwsError`).
 *
 * @example
 * ```ts
 * const token = await readSecureString(ssm, connection, "/config-refresh/shop/beta/redis-auth-token", {
 *   what: "the Redis AUTH token", missingHint: "the stack's redisAuthTokenParameterName output names it",
 * });
 * ```
 */
export async function readSecureString(
  ssm: SSMClient,
  connection: AwsConnection,
  name: string,
  context: { what: string; missingHint: string },
): Promise<string> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return Parameter?.Value ?? "";
  } catch (error) {
    const action = `read ${context.what} ${name}`;
    const explained = explainAwsError(error, { connection, service: "SSM", action, parameterName: name });
    if (explained instanceof ParameterNotFoundError) throw new ParameterNotFoundError(name, context.missingHint);
    throw explained;
  }
}
