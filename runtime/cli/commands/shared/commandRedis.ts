import type Redis from "ioredis";
import { LAMBDA_ENVIRONMENT } from "../../../lambda/environment";
import { createStreamRedis } from "../../../lambda/stream/createStreamRedis";
import type { AwsClients } from "../../../operator/aws/awsClients";
import type { AwsConnection } from "../../../operator/aws/awsConnection";
import { readSecureString } from "../../../operator/aws/readSecureString";
import { OPERATOR_ENVIRONMENT } from "../../../operator/commandEnvironment";
import { EndpointUnreachableError } from "../../../operator/errors";
import { requireRedisFromHere } from "../../../operator/redis/probeRedis";
import { resolveRedisTarget, type RedisTarget } from "../../../operator/redis/redisTarget";

/** The options of the commands that read or write the pipeline's Redis (parseArgs shape). */
export const REDIS_OPTIONS = {
  "redis-url": { type: "string" },
  "redis-auth-token-parameter": { type: "string" },
  "redis-user": { type: "string" },
} as const;

type Values = Partial<Record<keyof typeof REDIS_OPTIONS, string | boolean>>;

/**
 * The Redis a command was pointed at: `--redis-url` (else the function's variable), its password
 * from the URL, `CONFIG_REFRESH_REDIS_PASSWORD` or the SecureString `--redis-auth-token-parameter`
 * names (else the function's variable), read decrypted; the user `--redis-user` names (else the
 * function's variable, else the URL's). Undefined when no URL was given.
 *
 * @throws `PipelineSettingsError` for a bad URL or a password given twice; what reading the parameter throws.
 */
export async function resolveCommandRedis(
  values: Values,
  env: NodeJS.ProcessEnv,
  clients: Pick<AwsClients, "ssm">,
  connection: AwsConnection,
): Promise<RedisTarget | undefined> {
  const url = text(values["redis-url"]) ?? text(env[LAMBDA_ENVIRONMENT.redisUrl]);
  if (!url) return undefined;
  const tokenParameter =
    text(values["redis-auth-token-parameter"]) ?? text(env[LAMBDA_ENVIRONMENT.redisAuthTokenParameter]);
  const password = text(env[OPERATOR_ENVIRONMENT.redisPassword]);
  const user = text(values["redis-user"]) ?? text(env[LAMBDA_ENVIRONMENT.redisUser]);
  return resolveRedisTarget(url, {
    ...(password ? { password } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(tokenParameter
      ? {
          passwordParameter: {
            name: tokenParameter,
            read: (name) =>
              readSecureString(clients.ssm, connection, name, {
                what: "the Redis AUTH token",
                missingHint: "the stack's redisAuthTokenParameterName output names it",
              }),
          },
        }
      : {}),
  });
}

/**
 * Checks that Redis answers from here (at once, with a sentence, when it does not: `command` says
 * where to run instead), then runs `use` on a connection tuned as the function's, closed after. A
 * refused connection (Redis down on a host this machine reaches) is left to `use`'s own calls, unless
 * `needsAnswer`: a command that only reads fails at once, naming it.
 */
export async function withCommandRedis<T>(
  target: RedisTarget,
  command: string,
  use: (redis: Redis) => Promise<T>,
  needsAnswer = false,
): Promise<T> {
  const probe = await requireRedisFromHere(target, command);
  if (needsAnswer && probe.outcome === "refused")
    throw new EndpointUnreachableError("Redis", target.label, probe.detail);
  const redis = createStreamRedis(target.url, {
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.user !== undefined ? { username: target.user } : {}),
  });
  // Connection errors fail the command that needs the connection.
  redis.on("error", () => undefined);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
