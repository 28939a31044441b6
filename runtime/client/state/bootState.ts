import { ConfigValidationError, type ConfigProblem } from "../errors";
import type { HeldBackVersion } from "../ssm/lastValidVersions";
import type { LoadedParameter } from "../ssm/loadParameters";
import type { ConfigRules } from "./configRules";
import { frozenRecord, type ConfigState, type HeldEntry, type RefusedRevision } from "./configState";

/** What the start found in the histories of the keys whose current value the schema refuses. */
export interface BootFallBack {
  /** Keys started on an older version: their refused current revision is remembered (held back). */
  readonly heldBack: readonly HeldBackVersion[];
  /** Key → why no earlier version could stand in, added to the key's problem. */
  readonly unresolved: ReadonlyMap<string, string>;
}

const NO_FALL_BACK: BootFallBack = { heldBack: [], unresolved: new Map() };

/**
 * The state of a starting instance from everything loaded under its path (a refused value already
 * replaced by its last valid version, see `lastValidVersions`). Throws {@link ConfigValidationError}
 * naming every required key that is missing and every value its schema refuses, so a service never
 * boots on broken configuration.
 */
export function bootState(
  loaded: readonly LoadedParameter[],
  rules: ConfigRules,
  now: number,
  fallBack: BootFallBack = NO_FALL_BACK,
): ConfigState {
  const problems: ConfigProblem[] = [];
  const held = new Map<string, HeldEntry>();
  const values: [string, unknown][] = [];
  for (const parameter of loaded) {
    const key = rules.keyOf(parameter.name);
    if (key === undefined || !rules.accepts(key)) continue;
    const parsed = rules.parse(key, parameter.value);
    if (!parsed.ok) {
      const unresolved = fallBack.unresolved.get(key);
      const detail = unresolved === undefined ? parsed.detail : `${parsed.detail} (${unresolved})`;
      problems.push({ key, name: parameter.name, problem: "invalid", detail });
      continue;
    }
    held.set(key, {
      name: parameter.name,
      key,
      type: parameter.type,
      raw: parameter.value,
      version: parameter.version,
      modifiedAt: parameter.modifiedAt,
      appliedAt: now,
      via: "boot",
    });
    values.push([key, parsed.value]);
  }
  for (const key of rules.schemaKeys()) {
    if (held.has(key) || problems.some((p) => p.key === key)) continue;
    const parsed = rules.parse(key, undefined);
    if (parsed.ok) values.push([key, parsed.value]);
    else problems.push({ key, name: rules.nameOf(key), problem: "missing", detail: parsed.detail });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    throw new ConfigValidationError(rules.parameterPath, problems);
  }
  return {
    values: frozenRecord(values),
    raws: frozenRecord([...held.values()].map((entry) => [entry.key, entry.raw] as const)),
    held,
    tombstones: new Map(),
    refused: new Map(
      fallBack.heldBack.map(({ key, refused, detail }): [string, RefusedRevision] => [
        key,
        { version: refused.version, modifiedAt: refused.modifiedAt, seenAt: now, detail: `${key}: ${detail}` },
      ]),
    ),
  };
}
