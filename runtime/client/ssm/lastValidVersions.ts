import { describeError } from "../../common/errors";
import type { ConfigRules } from "../state/configRules";
import type { LoadedParameter } from "./loadParameters";
import { readParameterHistory } from "./readParameterHistory";

/** A key started on an older version because its schema refuses SSM's current one. */
export interface HeldBackVersion {
  readonly key: string;
  readonly name: string;
  /** The version held instead: the newest one of the history the schema accepts. */
  readonly held: LoadedParameter;
  /** SSM's current version, refused. */
  readonly refused: LoadedParameter;
  /** Why the schema refused it (never the value). */
  readonly detail: string;
}

/** What a start loads once every refused value has been looked up in its history. */
export interface BootLoad {
  /** The parameters to start on: a refused current version replaced by its last valid one. */
  readonly loaded: readonly LoadedParameter[];
  readonly heldBack: readonly HeldBackVersion[];
  /** Key → why no earlier version could stand in (no valid one, or the history unreadable). */
  readonly unresolved: ReadonlyMap<string, string>;
}

/**
 * For each loaded value the schema refuses, walks the parameter's history (newest first, decrypted)
 * to the newest version the schema accepts, and starts on it instead. The histories are read in
 * parallel, only for refused keys: a valid start costs no extra call.
 *
 * @example
 * ```ts
 * const { loaded, heldBack } = await lastValidVersions(ssm, await loadParameters(ssm, path), rules);
 * ```
 */
export async function lastValidVersions(
  ssm: Parameters<typeof readParameterHistory>[0],
  loaded: readonly LoadedParameter[],
  rules: ConfigRules,
): Promise<BootLoad> {
  const heldBack: HeldBackVersion[] = [];
  const unresolved = new Map<string, string>();
  const replaced = new Map<string, LoadedParameter>();
  await Promise.all(
    loaded.map(async (current) => {
      const key = rules.keyOf(current.name);
      if (key === undefined || !rules.accepts(key)) return;
      const parsed = rules.parse(key, current.value);
      if (parsed.ok) return;
      let history: LoadedParameter[];
      try {
        history = await readParameterHistory(ssm, current.name);
      } catch (error) {
        unresolved.set(key, `its history could not be read to find a valid version (${describeError(error)})`);
        return;
      }
      const valid = history.find((version) => version.version < current.version && rules.parse(key, version.value).ok);
      if (!valid) {
        const earlier = history.filter((version) => version.version < current.version).length;
        unresolved.set(key, `none of the ${earlier} earlier versions of its history passes the schema either`);
        return;
      }
      replaced.set(current.name, valid);
      heldBack.push({ key, name: current.name, held: valid, refused: current, detail: parsed.detail });
    }),
  );
  heldBack.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { loaded: loaded.map((parameter) => replaced.get(parameter.name) ?? parameter), heldBack, unresolved };
}
