/**
 * The Redis users of a pipeline and what each may do, as ACL access strings: the component gives them
 * to ElastiCache (role-based access control) and the tests to a local `redis-server` 7 (`ACL SETUSER`),
 * so the rules proven here are the rules deployed. Derived from the stream keys (`streamKeys.ts`).
 * Plain TypeScript with no AWS or Pulumi import.
 */
import { streamKeys } from "./streamKeys";

/** The user names of a pipeline's Redis users (ElastiCache user names, unique in one user group). */
export const REDIS_USER_NAMES = {
  /** The refresh function: writes the stream and its keys. */
  function: "config-refresh-function",
  /** Every service instance: reads the stream, writes only the acks stream. */
  service: "config-refresh-service",
  /** ElastiCache requires a user named `default` in every user group: it may do nothing. */
  default: "default",
} as const;

/** A user that cannot authenticate nor run a command: the user group's mandatory `default`. */
export const POWERLESS_ACCESS_STRING = "off -@all";

/**
 * What ioredis sends on every connection besides the work: the ready check (`INFO`), the connection
 * name (`CLIENT SETNAME`), keep-alive and goodbye (`PING`, `QUIT`). `AUTH` and `HELLO` need no grant.
 */
const CONNECTION_COMMANDS = ["+info", "+ping", "+quit", "+client|setname"];

/**
 * The commands of the refresh function: the publish script (`publishScript.ts`: EVALSHA, else EVAL;
 * inside it HGET, SET, XREVRANGE, XADD, HSET), the Delete plan's HMGET and the stale-registration
 * counter (`staleRegistrationScript.ts`: EVAL; HGET, HSET, HDEL, PEXPIRE, HLEN, HGETALL, and HDEL
 * after a deregistration). Redis checks the commands a script runs against the caller's rules too.
 */
const FUNCTION_COMMANDS = [
  "+evalsha",
  "+eval",
  "+xadd",
  "+xrevrange",
  "+hget",
  "+hmget",
  "+hset",
  "+hdel",
  "+hlen",
  "+hgetall",
  "+pexpire",
  "+set",
];

/**
 * The commands of a service instance (`runtime/client/stream/`): XREAD and XRANGE on the stream, the
 * position check (MULTI, XINFO STREAM, GET epoch, INFO replication, EXEC), XADD of its acks.
 */
const SERVICE_COMMANDS = ["+xread", "+xrange", "+xinfo|stream", "+get", "+multi", "+exec", "+xadd"];

/** A key as an ACL pattern that matches only itself (`*`, `?`, `[`, `]` and `\` escaped). */
export function exactKeyPattern(key: string): string {
  if (/\s/.test(key) || key === "") {
    throw new Error(`the Redis key ${JSON.stringify(key)} cannot be named in an access string (empty or whitespace)`);
  }
  return key.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * The refresh function's rules: read and write the stream, the `published` hash, the epoch and the
 * `unreachable` hash of `streamKey`, with the commands it sends and no other; no other key.
 *
 * @example
 * ```ts
 * functionAccessString("config-refresh:{/shop/beta/}");
 * // "on ~config-refresh:{/shop/beta/} ~config-refresh:{/shop/beta/}:published ... -@all +evalsha ..."
 * ```
 */
export function functionAccessString(streamKey: string): string {
  const keys = streamKeys(streamKey);
  const owned = [keys.stream, keys.published, keys.epoch, keys.unreachable].map((k) => `~${exactKeyPattern(k)}`);
  return ["on", ...owned, "-@all", ...FUNCTION_COMMANDS, ...CONNECTION_COMMANDS].join(" ");
}

/**
 * A service instance's rules: read the stream and the epoch (`%R~`: no write command on them), read
 * and write the acks stream; nothing on the `published` and `unreachable` hashes; no FLUSHALL, no CONFIG.
 *
 * @example
 * ```ts
 * serviceAccessString("config-refresh:{/shop/beta/}");
 * // "on %R~config-refresh:{/shop/beta/} %R~config-refresh:{/shop/beta/}:epoch ~...:acks -@all +xread ..."
 * ```
 */
export function serviceAccessString(streamKey: string): string {
  const keys = streamKeys(streamKey);
  const read = [keys.stream, keys.epoch].map((k) => `%R~${exactKeyPattern(k)}`);
  return ["on", ...read, `~${exactKeyPattern(keys.acks)}`, "-@all", ...SERVICE_COMMANDS, ...CONNECTION_COMMANDS].join(
    " ",
  );
}
