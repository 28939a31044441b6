import Redis from "ioredis";
import { describeError } from "../../common/errors";
import { OPERATOR_ENVIRONMENT } from "../commandEnvironment";
import { EndpointUnreachableError, RedisPasswordError, UnreachableFromHereError } from "../errors";
import { formatDuration } from "../format/textTable";
import { REDIS_USER_HINT, type RedisTarget } from "./redisTarget";

/** How long a command waits for Redis to answer before saying it cannot be reached from here. */
export const REDIS_ANSWER_TIMEOUT_MS = 3_000;

/** What one PING found. */
export type RedisProbe =
  | { outcome: "answered" }
  | {
      /**
       * - `refused`: the host answered that nothing listens there (this machine reaches it; Redis is down);
       * - `no-answer`: nothing came back in time, or there is no route (a private address, seen from outside);
       * - `unknown-host`: the name does not resolve;
       * - `password-required` / `password-refused`: Redis wants AUTH, or refused the password given;
       * - `failed`: anything else.
       */
      outcome: "refused" | "no-answer" | "unknown-host" | "password-required" | "password-refused" | "failed";
      /** An error code or a short reason, never a password. */
      detail: string;
    };

/** Socket errors that mean "no answer at all". */
const NO_ANSWER_CODES = new Set(["ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * Connects to `target` and sends PING, within `timeoutMs` in all (a socket that connects and then
 * never answers counts as no answer), on a connection of its own that makes no second attempt.
 *
 * @example
 * ```ts
 * const probe = await probeRedis(await resolveRedisTarget("redis://127.0.0.1:6379"));
 * if (probe.outcome !== "answered") console.log(probe.outcome, probe.detail);
 * ```
 */
export async function probeRedis(target: RedisTarget, timeoutMs = REDIS_ANSWER_TIMEOUT_MS): Promise<RedisProbe> {
  const redis = new Redis(target.url, {
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.user !== undefined ? { username: target.user } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    enableOfflineQueue: false,
  });
  // The socket's own errors (ECONNREFUSED, WRONGPASS) say more than the rejection ("Connection is closed.").
  const seen: { code?: string; message: string }[] = [];
  redis.on("error", (error: { code?: string; message: string }) => void seen.push(error));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed-out">((resolve) => {
    timer = setTimeout(() => resolve("timed-out"), timeoutMs);
  });
  try {
    const answer = await Promise.race([redis.connect().then(() => redis.ping()), timedOut]);
    if (answer === "timed-out") {
      return { outcome: "no-answer", detail: `no answer within ${formatDuration(timeoutMs)}` };
    }
    return { outcome: "answered" };
  } catch (error) {
    return classify([...seen, { message: describeError(error) }]);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/**
 * Fails at once, with a sentence, when `target` cannot serve `command` from this machine: no answer
 * (where to run it instead), an unknown host, a password missing or refused. A refused connection
 * is returned, not thrown: this machine reaches the host, Redis is down there, and the command's
 * own calls report it (`dlq replay` leaves each message in the queue).
 *
 * @throws {@link UnreachableFromHereError}, {@link EndpointUnreachableError}, {@link RedisPasswordError}.
 */
export async function requireRedisFromHere(
  target: RedisTarget,
  command: string,
  timeoutMs = REDIS_ANSWER_TIMEOUT_MS,
): Promise<RedisProbe> {
  const probe = await probeRedis(target, timeoutMs);
  switch (probe.outcome) {
    case "answered":
    case "refused":
      return probe;
    case "no-answer":
      throw new UnreachableFromHereError("Redis", target.label, probe.detail, command);
    case "password-required":
      throw new RedisPasswordError(
        `Redis at ${target.label} wants a password (${probe.detail}): give the AUTH token with ` +
          "--redis-auth-token-parameter NAME (the stack's redisAuthTokenParameterName output), " +
          `or in ${OPERATOR_ENVIRONMENT.redisPassword}`,
      );
    case "password-refused":
      throw new RedisPasswordError(
        `Redis at ${target.label} refused the password from ${target.passwordSource ?? "the URL"} ` +
          `as ${target.user ?? "the default user"} (${probe.detail})` +
          (target.user === undefined ? `: ${REDIS_USER_HINT}` : ""),
      );
    default:
      throw new EndpointUnreachableError("Redis", target.label, probe.detail);
  }
}

function classify(errors: readonly { code?: string; message: string }[]): Exclude<RedisProbe, { outcome: "answered" }> {
  const find = (test: (error: { code?: string; message: string }) => boolean) => errors.find(test);
  const wrongPassword = find((e) => /WRONGPASS|invalid password/i.test(e.message));
  if (wrongPassword) return { outcome: "password-refused", detail: "WRONGPASS" };
  if (find((e) => /NOAUTH/.test(e.message))) return { outcome: "password-required", detail: "NOAUTH" };
  const coded = find((e) => e.code !== undefined);
  if (coded?.code === "ECONNREFUSED") return { outcome: "refused", detail: "ECONNREFUSED" };
  if (coded?.code && NO_ANSWER_CODES.has(coded.code)) return { outcome: "no-answer", detail: coded.code };
  if (coded?.code === "ENOTFOUND" || coded?.code === "EAI_AGAIN") {
    return { outcome: "unknown-host", detail: coded.code };
  }
  return { outcome: "failed", detail: coded?.code ?? errors[0]?.message ?? "unknown error" };
}
