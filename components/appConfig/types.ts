/** SSM parameter types that an `app_config_<env>.yaml` file may declare (never `SecureString`). */
export type AppConfigParameterType = "String" | "StringList";

/** SSM parameter tiers. */
export type ParameterTier = "Standard" | "Advanced" | "Intelligent-Tiering";

/** SSM data types a `String` parameter may declare. */
export type ParameterDataType = "text" | "aws:ec2:image" | "aws:ssm:integration";

/** Where something was written in the file, for error messages and reports. */
export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * One parameter declared by the file.
 *
 * @example
 * ```ts
 * // `http: { timeout_ms: 3000 }` in app_config_beta.yaml, prefix `/shop/beta/`, becomes:
 * { key: "http/timeout_ms", name: "/shop/beta/http/timeout_ms", type: "String", value: "3000", ... }
 * ```
 */
export interface AppConfigEntry {
  /** Name relative to the stack's prefix, segments joined by `/` (e.g. `http/timeout_ms`). */
  key: string;
  /** Full SSM name: the prefix followed by `key`. Equal to `key` when no prefix was given. */
  name: string;
  type: AppConfigParameterType;
  /** The value as SSM stores it: a `StringList` is its items joined by commas. */
  value: string;
  /** The items of a `StringList`; undefined for a `String`. */
  items?: string[];
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: ParameterDataType;
  /** Where the key was written. */
  position: SourcePosition;
}

/** A SecureString the application needs, which must be created by hand (never from the file). */
export interface RequiredSecret {
  /** Name relative to the prefix. */
  key: string;
  /** Full SSM name. */
  name: string;
  position: SourcePosition;
}

/** A validated `app_config_<env>.yaml` file. */
export interface AppConfig {
  /** The file it was read from, as given. */
  file: string;
  /** The prefix the names were built with (`/<app>/<env>/`), or `""` when none was given. */
  prefix: string;
  /** Every parameter, in file order. */
  entries: AppConfigEntry[];
  /** Secrets listed under `required_secrets:`. */
  requiredSecrets: RequiredSecret[];
}

/** Options of {@link loadAppConfig} and {@link parseAppConfig}. */
export interface LoadAppConfigOptions {
  /**
   * The stack's prefix, `/<app>/<env>/`. When given, entry names are full SSM names and the
   * limits on the full name (length, depth) are checked; otherwise only the relative key is.
   */
  prefix?: string;
}
