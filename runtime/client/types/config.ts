import type { z } from "zod";
import type { AckVia, ParameterType } from "../../protocol";

/** How a value reached the instance: the stream, the `Refresh` RPC, a full reload, or the boot load. */
export type ChangeVia = AckVia;

/**
 * One zod schema per key, the key being the parameter name relative to the client's path
 * (`log_level`, `http/timeout_ms`). Each schema receives the SSM value as a string (a StringList
 * as its comma-joined string), or `undefined` when the parameter does not exist, and returns the
 * parsed value that {@link ConfigClient.get} hands out. A key is required unless its schema
 * accepts `undefined` (`.optional()`, `.default(...)`). See `ssmBoolean`, `ssmInteger`, `ssmList`.
 *
 * @example
 * ```ts
 * const schema = {
 *   log_level: z.enum(["debug", "info", "warn", "error"]),
 *   "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
 *   "features/new_checkout": ssmBoolean().default(false),
 * } satisfies ConfigSchema;
 * ```
 */
export type ConfigSchema = Readonly<Record<string, z.ZodType>>;

/** The parsed values of the keys a schema declares. */
export type ConfigValues<S extends ConfigSchema> = { readonly [K in keyof S]: z.output<S[K]> };

/**
 * A frozen snapshot of the configuration: the keys of the schema typed by it; any other key under
 * the path (unless `strict`) as its raw SSM string. Never mutated: after a change, `snapshot()` makes a new one.
 */
export type ConfigSnapshot<S extends ConfigSchema> = ConfigValues<S> & { readonly [key: string]: unknown };

/** A parameter the instance holds, as `state()` and the `State` RPC report it. */
export interface HeldParameterInfo {
  /** Full SSM name. */
  readonly name: string;
  /** Name relative to the client's path. */
  readonly key: string;
  readonly type: ParameterType;
  readonly version: number;
  /** SSM's LastModifiedDate of the held version, epoch ms. */
  readonly modifiedAt: number;
  /** When this instance applied it, epoch ms. */
  readonly appliedAt: number;
  readonly via: ChangeVia;
}

/**
 * A key held back: the instance holds `version` because its schema refused the newer
 * `refusedVersion` (at start: SSM's current one). A later valid version clears it.
 */
export interface HeldBackInfo {
  /** Full SSM name. */
  readonly name: string;
  /** Name relative to the client's path. */
  readonly key: string;
  /** The version held. */
  readonly version: number;
  /** The newest version refused. */
  readonly refusedVersion: number;
  /** Why it was refused (the schema's words, never the value). */
  readonly detail: string;
}

/** What an instance holds, and since when. */
export interface ClientState {
  readonly instanceId: string;
  readonly parameterPath: string;
  /** Held parameters, sorted by name. */
  readonly parameters: readonly HeldParameterInfo[];
  /** The keys held back on an older version than one they refused, sorted by name. */
  readonly heldBack: readonly HeldBackInfo[];
  /** When the configuration was loaded at start, epoch ms. */
  readonly startedAt: number;
  /** When a change was last applied after start, epoch ms (0 when never). */
  readonly lastChangeAt: number;
  /** The last stream entry id read ("0-0" before any, "" while the stream position is unknown). */
  readonly lastStreamId: string;
}
