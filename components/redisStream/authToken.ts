import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * ElastiCache's rule for AUTH tokens and user passwords: 16–128 printable characters, and of the
 * specials only `! & # $ ^ < > -` (no `/`, `"`, `@` nor space).
 */
export const AUTH_TOKEN_SPECIALS = "!&#$^<>-";
/** Length of a generated password (ElastiCache allows 16–128). */
export const AUTH_TOKEN_LENGTH = 64;

/** A generated Redis password and, when it is to be read, the SecureString that holds it. */
export interface RedisPassword {
  /** The password, secret. Only ElastiCache and the SecureString receive it. */
  value: pulumi.Output<string>;
  /** The SecureString its user reads it from (absent for a password nobody uses). */
  parameter?: aws.ssm.Parameter;
}

/** Where {@link createRedisPassword} keeps the password: a SecureString, or nowhere. */
export interface RedisPasswordStore {
  /** Name of the SecureString; none: the password is only given to ElastiCache. */
  parameterName?: string;
  /** Description of the SecureString. */
  description: string;
}

/**
 * Generates a Redis password (`random.RandomPassword`, secret) and stores it in an SSM SecureString
 * when `store.parameterName` is given. Readers get the parameter's name, never the value.
 */
export function createRedisPassword(
  name: string,
  store: RedisPasswordStore,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): RedisPassword {
  const password = new random.RandomPassword(
    name,
    {
      length: AUTH_TOKEN_LENGTH,
      special: true,
      overrideSpecial: AUTH_TOKEN_SPECIALS,
      minUpper: 1,
      minLower: 1,
      minNumeric: 1,
    },
    { parent },
  );
  // The provider marks `result` secret; saying so here keeps it secret under any engine or mock.
  const value = pulumi.secret(password.result);
  if (store.parameterName === undefined) return { value };
  const parameter = new aws.ssm.Parameter(
    name,
    {
      name: store.parameterName,
      type: "SecureString",
      value,
      description: store.description,
      tags,
    },
    { parent },
  );
  return { value, parameter };
}
