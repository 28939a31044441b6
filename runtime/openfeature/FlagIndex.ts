import {
  ErrorCode,
  StandardResolutionReasons,
  type FlagMetadata,
  type JsonValue,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import type { AppliedParameter, HeldParameterInfo } from "../client";
import { booleanFlag, numberFlag, objectFlag, type FlagValue } from "./flagValues";
import type { FlagSource } from "./types";

/** The four flag types of the server SDK, as the provider's resolvers name them. */
export type FlagType = "boolean" | "string" | "number" | "object";

/** What a resolution of one type answers: ready-made details (live and stale), or an error. */
export type FlagOutcome<T> =
  | { readonly ok: true; readonly live: ResolutionDetails<T>; readonly stale: ResolutionDetails<T> }
  | { readonly ok: false; readonly errorCode: ErrorCode; readonly errorMessage: string };

/** One parameter the client holds, read as each flag type once, when its version arrives. */
export interface FlagEntry {
  readonly version: number;
  readonly raw: string;
  /** `{ version }`: frozen, shared by every resolution of this version. */
  readonly metadata: FlagMetadata;
  readonly boolean: FlagOutcome<boolean>;
  readonly string: FlagOutcome<string>;
  readonly number: FlagOutcome<number>;
  readonly object: FlagOutcome<JsonValue>;
}

/**
 * The flags of one client: key (relative to its path) → {@link FlagEntry}. Updated from the client
 * in the same turn as each swap of its snapshot (only the keys the swap applied: a change costs the
 * same at 10 parameters or 10,000), so a resolution is one `Map` lookup that returns details made
 * in advance: no I/O, no parsing, no allocation. SecureStrings are held as errors:
 * flag values reach hooks and telemetry, a secret must not.
 */
export class FlagIndex {
  private flags = new Map<string, FlagEntry>();

  /** The entry of `key`, if the client holds it. */
  public get(key: string): FlagEntry | undefined {
    return this.flags.get(key);
  }

  /** Reads what `source` holds now; entries whose version and value did not move are kept as they are. */
  public rebuild(source: FlagSource): void {
    const next = new Map<string, FlagEntry>();
    for (const held of source.state().parameters) {
      const raw = source.raw(held.key);
      if (raw === undefined) continue;
      const previous = this.flags.get(held.key);
      next.set(held.key, previous?.version === held.version && previous.raw === raw ? previous : flagEntry(held, raw));
    }
    this.flags = next;
  }

  /** Reads again the keys of one applied swap (`applied` event) from `source`: a deleted key's flag goes. */
  public update(source: FlagSource, applied: readonly AppliedParameter[]): void {
    // The last of a key's changes in the batch is the one held.
    const last = new Map(applied.map((parameter) => [parameter.key, parameter]));
    for (const [key, held] of last) {
      const raw = source.raw(key);
      const previous = this.flags.get(key);
      if (raw === undefined) this.flags.delete(key);
      else if (previous?.version !== held.version || previous.raw !== raw) this.flags.set(key, flagEntry(held, raw));
    }
  }

  /** Forgets every flag (the provider was closed). */
  public clear(): void {
    this.flags = new Map();
  }
}

function flagEntry(held: Pick<HeldParameterInfo, "key" | "type" | "version">, raw: string): FlagEntry {
  const metadata: FlagMetadata = Object.freeze({ version: held.version });
  if (held.type === "SecureString") {
    const secret: FlagOutcome<never> = {
      ok: false,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      errorMessage: `${held.key} is a SecureString: the provider serves no secret as a flag (read it with client.get)`,
    };
    return { version: held.version, raw, metadata, boolean: secret, string: secret, number: secret, object: secret };
  }
  return {
    version: held.version,
    raw,
    metadata,
    boolean: outcomeOf(held.key, booleanFlag(raw), metadata),
    string: outcomeOf(held.key, { ok: true, value: raw }, metadata),
    number: outcomeOf(held.key, numberFlag(raw), metadata),
    object: outcomeOf(held.key, objectFlag(raw), metadata),
  };
}

function outcomeOf<T>(key: string, parsed: FlagValue<T>, flagMetadata: FlagMetadata): FlagOutcome<T> {
  if (!parsed.ok) return { ok: false, errorCode: parsed.errorCode, errorMessage: `${key} ${parsed.reason}` };
  const { value } = parsed;
  return {
    ok: true,
    live: Object.freeze({ value, reason: StandardResolutionReasons.STATIC, flagMetadata }),
    stale: Object.freeze({ value, reason: StandardResolutionReasons.STALE, flagMetadata }),
  };
}
