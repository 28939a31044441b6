import type { z } from "zod";
import { validateValue, type ValidatedValue } from "../schema/validateValue";
import type { ConfigSchema } from "../types";

/** A path SSM accepts as a hierarchy, written with its trailing slash. */
export const PARAMETER_PATH_PATTERN = /^\/[a-zA-Z0-9_.\-/]*\/$/;

/**
 * What the client holds and how it checks it: the parameter path, the schema per relative key and
 * whether unknown keys are refused. Shared by the boot load, the stream, the RPC and reloads.
 */
export class ConfigRules {
  private readonly schemas: ReadonlyMap<string, z.ZodType>;

  public constructor(
    public readonly parameterPath: string,
    schema: ConfigSchema | undefined,
    public readonly strict: boolean,
  ) {
    this.schemas = new Map(Object.entries(schema ?? {}));
  }

  /** The key of a full name (`/shop/beta/http/timeout_ms` → `http/timeout_ms`); undefined outside the path. */
  public keyOf(name: string): string | undefined {
    if (!name.startsWith(this.parameterPath) || name.length === this.parameterPath.length) return undefined;
    return name.slice(this.parameterPath.length);
  }

  /** The full SSM name of a key. */
  public nameOf(key: string): string {
    return this.parameterPath + key;
  }

  /** False for keys outside the schema when `strict`. */
  public accepts(key: string): boolean {
    return !this.strict || this.schemas.has(key);
  }

  /** True when the schema declares the key. */
  public declares(key: string): boolean {
    return this.schemas.has(key);
  }

  /** The keys the schema declares. */
  public schemaKeys(): IterableIterator<string> {
    return this.schemas.keys();
  }

  /**
   * Validates and parses a value (`undefined`: the parameter is absent). Keys without a schema keep
   * their raw string.
   */
  public parse(key: string, raw: string | undefined): ValidatedValue {
    const schema = this.schemas.get(key);
    return schema ? validateValue(schema, raw) : { ok: true, value: raw };
  }
}
