import type { AwsConnection } from "../aws/awsConnection";
import { explainAwsError } from "../aws/explainAwsError";
import { OperatorError } from "../errors";

/** The names a fleet read went by, for the sentences. */
export interface FleetNames {
  prefix: string;
  namespaceName: string;
  serviceName: string;
  refreshTokenParameter: string;
}

/**
 * The sentence for a failed read of a fleet (its refresh token, its Cloud Map service): no token or
 * no namespace/service means no pipeline for the prefix runs there; anything else as `explainAwsError`.
 *
 * @example
 * ```ts
 * await readFleetState(query).catch((error: unknown) => { throw explainFleetReadError(error, names, connection); });
 * ```
 */
export function explainFleetReadError(error: unknown, names: FleetNames, connection: AwsConnection): OperatorError {
  const name = (error as Error).name;
  if (name === "ParameterNotFound") {
    return new OperatorError(
      `the refresh token ${names.refreshTokenParameter} does not exist at ${connection.label}: ` +
        `no pipeline for ${names.prefix} runs there (or give --token-parameter)`,
    );
  }
  if (name === "NamespaceNotFound" || name === "ServiceNotFound") {
    const missing =
      name === "NamespaceNotFound"
        ? `namespace ${names.namespaceName}`
        : `service ${names.serviceName} in ${names.namespaceName}`;
    return new OperatorError(
      `Cloud Map has no ${missing} at ${connection.label}: ` +
        "is the pipeline running there (or give --namespace/--service)?",
    );
  }
  return explainAwsError(error, {
    connection,
    service: "SSM/Cloud Map",
    action: `read ${names.prefix} and the instances of ${names.namespaceName}/${names.serviceName}`,
    parameterName: names.refreshTokenParameter,
  });
}
