import type { SourcePosition } from "./types";

/** One problem found in an `app_config_<env>.yaml` file. */
export interface AppConfigProblem extends SourcePosition {
  file: string;
  /** The parameter key concerned (relative to the prefix), or `""` for a file-level problem. */
  key: string;
  message: string;
}

/** Formats a problem as `file:line:column key: message`, the shape editors and CI logs link. */
export function formatProblem(problem: AppConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.key ? `${where} ${problem.key}: ${problem.message}` : `${where} ${problem.message}`;
}

/**
 * Thrown by {@link loadAppConfig} when a file has problems. Lists **every** problem found, not
 * only the first, each with file, line, column and key.
 *
 * @example
 * ```ts
 * try { loadAppConfig("stacks/app_config_beta.yaml"); }
 * catch (e) { if (e instanceof AppConfigError) for (const p of e.problems) console.error(p.line, p.key, p.message); }
 * ```
 */
export class AppConfigError extends Error {
  /** Every problem, in file order. */
  public readonly problems: readonly AppConfigProblem[];

  public constructor(file: string, problems: AppConfigProblem[]) {
    const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
    const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
    super(`${file}: ${count}\n${sorted.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    this.name = "AppConfigError";
    this.problems = sorted;
  }
}
