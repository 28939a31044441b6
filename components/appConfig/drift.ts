import type { AppConfig } from "./types";

/** A key that is not declared the same way in every environment. */
export interface EnvironmentDrift {
  key: string;
  /** Environments whose file declares the key. */
  presentIn: string[];
  /** Environments whose file does not. */
  missingFrom: string[];
  /**
   * Set when the environments that declare the key disagree on its type,
   * e.g. `{ beta: "String", production: "StringList" }`.
   */
  types?: Record<string, string>;
}

/**
 * Compares the files of several environments (`{ beta: config, production: config }`) and lists
 * every key that is missing from some of them or typed differently, sorted by key. Required
 * secrets count as keys, so a secret listed for one environment only is drift too.
 *
 * @example
 * ```ts
 * compareEnvironments({ beta, production });
 * // [{ key: "features/new_checkout", presentIn: ["beta"], missingFrom: ["production"] }]
 * ```
 */
export function compareEnvironments(configs: Record<string, AppConfig>): EnvironmentDrift[] {
  const environments = Object.keys(configs).sort();
  const typesByKey = new Map<string, Map<string, string>>();
  for (const env of environments) {
    const config = configs[env];
    if (config === undefined) continue;
    const declare = (key: string, type: string): void => {
      let types = typesByKey.get(key);
      if (types === undefined) {
        types = new Map();
        typesByKey.set(key, types);
      }
      types.set(env, type);
    };
    for (const entry of config.entries) declare(entry.key, entry.type);
    for (const secret of config.requiredSecrets) declare(secret.key, "SecureString");
  }
  const drift: EnvironmentDrift[] = [];
  for (const [key, types] of [...typesByKey].sort(([a], [b]) => a.localeCompare(b))) {
    const presentIn = environments.filter((env) => types.has(env));
    const missingFrom = environments.filter((env) => !types.has(env));
    const differentTypes = new Set(types.values()).size > 1;
    if (missingFrom.length === 0 && !differentTypes) continue;
    drift.push({ key, presentIn, missingFrom, ...(differentTypes ? { types: Object.fromEntries(types) } : {}) });
  }
  return drift;
}
