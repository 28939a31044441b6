import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { REFRESH_TOKEN_LENGTH } from "./refreshTokenFormat";

export { REFRESH_TOKEN_LENGTH } from "./refreshTokenFormat";

/** The generated refresh token's SecureString. */
export interface RefreshToken {
  /** The SecureString the function and the instances read the token from. */
  parameter: aws.ssm.Parameter;
}

/**
 * Generates the token that refresh calls carry (`random.RandomPassword`, secret) and stores it in
 * an SSM SecureString named `parameterName`. Nobody receives the value itself, only the name.
 */
export function createRefreshToken(
  name: string,
  parameterName: string,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): RefreshToken {
  const password = new random.RandomPassword(
    `${name}-refresh-token`,
    {
      length: REFRESH_TOKEN_LENGTH,
      special: false,
      minUpper: 1,
      minLower: 1,
      minNumeric: 1,
    },
    { parent },
  );
  const parameter = new aws.ssm.Parameter(
    `${name}-refresh-token`,
    {
      name: parameterName,
      type: "SecureString",
      value: pulumi.secret(password.result),
      description: "Token the config-refresh function presents on every gRPC Refresh call (generated)",
      tags,
    },
    { parent },
  );
  return { parameter };
}
