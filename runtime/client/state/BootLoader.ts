import { ConfigValidationError, type ConfigProblem } from "../errors";
import type { HeldBackVersion } from "../ssm/lastValidVersions";
import type { LoadedParameter } from "../ssm/loadParameters";
import type { ConfigRules } from "./configRules";
import { emptyState, type ConfigState } from "./configState";

/** What the start found in the histories of the keys whose current value the schema refuses. */
export interface BootFallBack {
  /** Keys started on an older version: their refused current revision is remembered (held back). */
  readonly heldBack: readonly HeldBackVersion[];
  /** Key → why no earlier version could stand in, added to the key's problem. */
  readonly unresolved: ReadonlyMap<string, string>;
}

const NO_FALL_BACK: BootFallBack = { heldBack: [], unresolved: new Map() };

/**
 * The state of a starting instance, built as the load reads each parameter under its path: no list
 * of everything loaded is kept beside it (at 10,000 parameters that list alone would be 2 MiB).
 * {@link finish} throws {@link ConfigValidationError} naming every required key that is missing and
 * every value its schema refuses, so a service never boots on broken configuration.
 *
 * @example
 * ```ts
 * const loader = new BootLoader(rules, Date.now());
 * await forEachParameter(ssm, "/shop/beta/", (parameter) => loader.add(parameter));
 * store.boot(loader);
 * ```
 */
export class BootLoader {
  private readonly state = emptyState();
  /** Key → the loaded parameter its schema refuses, and why. */
  private readonly invalid = new Map<string, { readonly parameter: LoadedParameter; readonly detail: string }>();

  /** `loadedAt`: when the load began, recorded as the time each parameter was applied. */
  public constructor(
    private readonly rules: ConfigRules,
    private readonly loadedAt: number,
  ) {}

  /** Takes one parameter the load read (outside the path or the schema: ignored). */
  public add(parameter: LoadedParameter): void {
    const key = this.rules.keyOf(parameter.name);
    if (key === undefined || !this.rules.accepts(key)) return;
    const parsed = this.rules.parse(key, parameter.value);
    if (!parsed.ok) {
      this.invalid.set(key, { parameter, detail: parsed.detail });
      this.state.held.delete(key);
      return;
    }
    this.invalid.delete(key);
    this.state.held.set(key, {
      name: parameter.name,
      key,
      type: parameter.type,
      raw: parameter.value,
      value: parsed.value,
      version: parameter.version,
      modifiedAt: parameter.modifiedAt,
      appliedAt: this.loadedAt,
      via: "boot",
    });
  }

  /** The parameters loaded whose value the schema refuses (what `lastValidVersions` looks up). */
  public refusedParameters(): LoadedParameter[] {
    return [...this.invalid.values()].map(({ parameter }) => parameter);
  }

  /**
   * The state to start on, with every refused value replaced by its last valid version from
   * `fallBack`. Throws {@link ConfigValidationError} when a required key is missing or a value is
   * still refused.
   */
  public finish(fallBack: BootFallBack = NO_FALL_BACK): ConfigState {
    const { state, rules } = this;
    for (const { key, held, refused, detail } of fallBack.heldBack) {
      this.add(held);
      const revision = { version: refused.version, modifiedAt: refused.modifiedAt };
      state.refused.set(key, { ...revision, seenAt: this.loadedAt, detail: `${key}: ${detail}` });
    }
    const problems: ConfigProblem[] = [];
    for (const [key, { parameter, detail }] of this.invalid) {
      const unresolved = fallBack.unresolved.get(key);
      const problem = unresolved === undefined ? detail : `${detail} (${unresolved})`;
      problems.push({ key, name: parameter.name, problem: "invalid", detail: problem });
    }
    for (const key of rules.schemaKeys()) {
      if (state.held.has(key) || this.invalid.has(key)) continue;
      const parsed = rules.parse(key, undefined);
      if (parsed.ok) state.absent.set(key, parsed.value);
      else problems.push({ key, name: rules.nameOf(key), problem: "missing", detail: parsed.detail });
    }
    if (problems.length > 0) {
      problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      throw new ConfigValidationError(rules.parameterPath, problems);
    }
    return state;
  }
}
