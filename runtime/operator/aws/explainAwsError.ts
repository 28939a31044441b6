import {
  AwsCredentialsError,
  EndpointUnreachableError,
  OperatorError,
  ParameterNotFoundError,
  PipelineSettingsError,
} from "../errors";
import type { AwsConnection } from "./awsConnection";

/** Network failures of a request that never reached a server. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
/** AWS error names that mean "these credentials are unknown, expired or malformed". */
const BAD_CREDENTIALS = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidClientTokenId",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "SignatureDoesNotMatch",
]);
/** AWS error names that mean "known credentials, not allowed to do this". */
const ACCESS_DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError"]);

/** What was being done when an AWS call failed, for {@link explainAwsError}. */
export interface AwsCallContext {
  connection: AwsConnection;
  /** The AWS service, as people name it: `SSM`, `Cloud Map`, `SQS`, `EventBridge`. */
  service: string;
  /** What was being done, as a verb phrase: `read /shop/beta/log_level`. */
  action: string;
  /** The parameter concerned, so `ParameterNotFound` becomes {@link ParameterNotFoundError}. */
  parameterName?: string;
}

/**
 * Turns an AWS SDK error into one a person understands, keeping the original as `cause`:
 * {@link EndpointUnreachableError} (nothing answers), {@link AwsCredentialsError} (no credentials,
 * refused or not allowed), {@link PipelineSettingsError} (no region), {@link ParameterNotFoundError},
 * or an {@link OperatorError} naming the call that failed. Errors that already are
 * {@link OperatorError}s pass through.
 *
 * @example
 * ```ts
 * try { await ssm.send(new GetParameterCommand({ Name })); }
 * catch (error) {
 *   throw explainAwsError(error, { connection, service: "SSM", action: `read ${Name}`, parameterName: Name });
 * }
 * ```
 */
export function explainAwsError(error: unknown, context: AwsCallContext): OperatorError {
  if (error instanceof OperatorError) return error;
  const { connection, service, action: what } = context;
  const err = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = err.name ?? "Error";
  const message = err.message ?? String(error);
  const cause = { cause: error };
  if (
    (err.code && UNREACHABLE_CODES.has(err.code)) ||
    name === "TimeoutError" ||
    /socket hang up|connect ETIMEDOUT|Connection timed out/i.test(message)
  ) {
    return new EndpointUnreachableError(
      service,
      connection.endpoint ?? `AWS (${connection.region ?? "no region"})`,
      err.code ? `${err.code}` : message,
      cause,
    );
  }
  if (name === "CredentialsProviderError") {
    const where = connection.profile ? ` for profile "${connection.profile}"` : "";
    return new AwsCredentialsError(
      `no AWS credentials${where}: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ` +
        `run \`aws sso login\`, or pass --profile (${message})`,
      cause,
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new AwsCredentialsError(
      `${service} refused the credentials in use (${name}): ` +
        "they are unknown, malformed or expired; refresh them and try again",
      cause,
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new AwsCredentialsError(`the credentials in use may not ${what} (${name}: ${message})`, cause);
  }
  if (/Region is missing/i.test(message)) {
    return new PipelineSettingsError(
      "no AWS region: pass --region, set AWS_REGION, or use a profile that has one",
      cause,
    );
  }
  if ((name === "ParameterNotFound" || name === "ParameterVersionNotFound") && context.parameterName !== undefined) {
    return new ParameterNotFoundError(context.parameterName);
  }
  const status = err.$metadata?.httpStatusCode ? `, HTTP ${err.$metadata.httpStatusCode}` : "";
  return new OperatorError(`${service} could not ${what} (${name}${status}: ${message})`, cause);
}
