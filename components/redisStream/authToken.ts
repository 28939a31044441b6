import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * ElastiCache's rule for AUTH tokens: 16–128 printable characters, and of the specials only
 * `! & # $ ^ < > -` (no `/`, `"`, `@` nor space).
 */
export const AUTH_TOKEN_SPECIALS = "!&#$^<>-";
/** Length of the generated token (ElastiCache allows 16–128). */
export const AUTH_TOKEN_LENGTH = 64;

/** The generated AUTH token and the SecureString that holds it. */
export interface RedisAuthToken {
  /** The token, secret. Only the replication group and the SecureString receive it. */
  value: pulumi.Output<string>;
  /** The SecureString the function and the instances read it from. */
  parameter: aws.ssm.Parameter;
}

/**
 * Generates the Redis AUTH token (`random.RandomPassword`, secret) and stores it in an SSM
 * SecureString named `parameterName`. Readers get the parameter's name, never the value.
 */
export function createRedisAuthToken(name: string, parameterName: string, tags: Record<string, string>, parent: pulumi.Resource): RedisAuthToken {
  const password = new random.RandomPassword(`${name}-auth-token`, {
    length: AUTH_TOKEN_LENGTH,
    special: true,
    overrideSpecial: AUTH_TOKEN_SPECIALS,
    minUpper: 1, minLower: 1, minNumeric: 1,
  }, { parent });
  // The provider marks `result` secret; saying so here keeps it secret under any engine or mock.
  const value = pulumi.secret(password.result);
  const parameter = new aws.ssm.Parameter(`${name}-auth-token`, {
    name: parameterName,
    type: "SecureString",
    value,
    description: "Redis AUTH token of the config-refresh stream host (generated; rotate by replacing the random password)",
    tags,
  }, { parent });
  return { value, parameter };
}
