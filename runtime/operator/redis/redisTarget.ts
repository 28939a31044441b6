import { LAMBDA_ENVIRONMENT } from "../../lambda/environment";
import { REDIS_USER_NAMES } from "../../protocol/redisAccess";
import { OPERATOR_ENVIRONMENT } from "../commandEnvironment";
import { PipelineSettingsError } from "../errors";

/** The stream's Redis as a command reaches it: the URL without its password, and the password apart. */
export interface RedisTarget {
  /** What is dialed: the URL without its credentials (the user and password travel apart, as ioredis options). */
  url: string;
  /** `redis[s]://host:port`, for messages: never holds a secret. */
  label: string;
  /** The Redis user it authenticates as (ElastiCache RBAC), when one was given; else `default`. */
  user?: string;
  /** The AUTH password (ElastiCache's AUTH token), when one was given. */
  password?: string;
  /** Where the password came from, for messages (`the URL`, a variable, a parameter). */
  passwordSource?: string;
}

/** Where a password may come from besides the URL. */
export interface RedisPasswordSources {
  /** The password itself ({@link OPERATOR_ENVIRONMENT}`.redisPassword`). */
  password?: string;
  /** The SecureString holding the AUTH token, as the deployed function reads it, and how to read it decrypted. */
  passwordParameter?: { name: string; read(name: string): Promise<string> };
  /** The user to authenticate as (`--redis-user`, {@link LAMBDA_ENVIRONMENT}`.redisUser`), unless the URL names one. */
  user?: string;
}

/**
 * What to add when Redis refuses a password given without a user: the deployed pipeline's Redis
 * (ElastiCache with the component's users) takes each password only as its own user.
 */
export const REDIS_USER_HINT =
  `the component's Redis takes a password only as its user: add --redis-user ${REDIS_USER_NAMES.function} ` +
  `(for the redisAuthTokenParameterName password) or ${REDIS_USER_NAMES.service} ` +
  `(for redisServicePasswordParameterName's), or set ${LAMBDA_ENVIRONMENT.redisUser}`;

/** How to give a password apart from the URL, for the sentences below. */
const APART =
  `give the password apart: --redis-auth-token-parameter NAME (the stack's redisAuthTokenParameterName` +
  ` output; ${LAMBDA_ENVIRONMENT.redisAuthTokenParameter}) or ${OPERATOR_ENVIRONMENT.redisPassword}`;

/**
 * Reads a Redis URL and takes its password out. A `#` is refused with a sentence: it ends a URL's
 * address, so `rediss://:tok#en@host` would be read as host `:tok`; a password holding one is
 * percent-encoded (`%23`) or given apart. Messages never repeat a password.
 *
 * @throws {@link PipelineSettingsError} for a URL that is not `redis://` / `rediss://` with a host.
 *
 * @example
 * ```ts
 * parseRedisUrl("rediss://:p%23ss@master.x:6379");
 * // { url: "rediss://master.x:6379", label: "rediss://master.x:6379", password: "p#ss" }
 * ```
 */
export function parseRedisUrl(given: string): { url: string; label: string; password?: string; user?: string } {
  const shown = given.replace(/^([a-z]+:\/\/).*@/is, "$1***@");
  if (!/^rediss?:\/\//i.test(given)) {
    throw new PipelineSettingsError(`the Redis URL ${shown} must start with redis:// or rediss://`);
  }
  if (given.includes("#")) {
    throw new PipelineSettingsError(
      `the Redis URL ${shown} holds a "#", which ends a URL's address ` +
        '(rediss://:tok#en@host is read as host ":tok"): ' +
        `percent-encode it in the URL (%23), or ${APART}`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new PipelineSettingsError(
      `the Redis URL ${shown} is not a URL: percent-encode a password's reserved characters, or ${APART}`,
    );
  }
  if (!parsed.hostname) throw new PipelineSettingsError(`the Redis URL ${shown} names no host (redis://host:6379)`);
  let password: string | undefined;
  try {
    password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    throw new PipelineSettingsError(`the Redis URL ${shown} holds a password not well percent-encoded: ${APART}`);
  }
  // ioredis reads credentials in the URL over its options: a user left there would erase the password given apart.
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  parsed.password = "";
  parsed.username = "";
  const label = `${parsed.protocol}//${parsed.host}${parsed.port ? "" : ":6379"}`;
  return {
    url: parsed.toString().replace(/\/$/, ""),
    label,
    ...(password !== undefined ? { password } : {}),
    ...(user !== undefined ? { user } : {}),
  };
}

/**
 * The Redis target of a command: the URL's address, and the password from the one place it was
 * given (the URL, the variable or the SSM parameter, read with decryption).
 *
 * @throws {@link PipelineSettingsError} for a bad URL, or a password given in more than one place;
 * whatever `passwordParameter.read` throws (an unknown parameter, SSM unreachable).
 *
 * @example
 * ```ts
 * const redis = await resolveRedisTarget(url, { passwordParameter: { name, read: (n) => readSecureString(ssm, n) } });
 * ```
 */
export async function resolveRedisTarget(url: string, sources: RedisPasswordSources = {}): Promise<RedisTarget> {
  const parsed = parseRedisUrl(url);
  const given = [
    ...(parsed.password !== undefined ? ["the URL"] : []),
    ...(sources.password !== undefined && sources.password !== "" ? [OPERATOR_ENVIRONMENT.redisPassword] : []),
    ...(sources.passwordParameter ? [`the parameter ${sources.passwordParameter.name}`] : []),
  ];
  if (given.length > 1) {
    throw new PipelineSettingsError(`the Redis password is given twice (${given.join(" and ")}): give it once`);
  }
  if (sources.user !== undefined && parsed.user !== undefined && parsed.user !== sources.user) {
    throw new PipelineSettingsError(
      `the Redis user is given twice (the URL names ${parsed.user}, --redis-user ${sources.user}): give it once`,
    );
  }
  const user = parsed.user ?? sources.user;
  const target: RedisTarget = { url: parsed.url, label: parsed.label, ...(user !== undefined ? { user } : {}) };
  if (parsed.password !== undefined) return { ...target, password: parsed.password, passwordSource: "the URL" };
  if (sources.password) {
    return { ...target, password: sources.password, passwordSource: OPERATOR_ENVIRONMENT.redisPassword };
  }
  if (sources.passwordParameter) {
    const password = await sources.passwordParameter.read(sources.passwordParameter.name);
    return { ...target, password, passwordSource: `the parameter ${sources.passwordParameter.name}` };
  }
  return target;
}
