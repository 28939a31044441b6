/** How a revert's description starts: the mark that stops a revert of a revert. */
export const REVERT_MARK = "config-refresh revert:";

/** SSM's limit on a description. */
const MAX_DESCRIPTION = 1024;

/** What a revert's description says. */
export interface RevertFacts {
  readonly refusedVersion: number;
  readonly restoredVersion: number;
  readonly refusedBy: number;
  readonly answered: number;
  readonly detail: string;
}

/**
 * The description of the version a revert writes: what was reverted, why, by how many instances.
 * Never a value (the detail is the schema's sentence).
 *
 * @example
 * ```ts
 * revertDescription({
 *   refusedVersion: 7,
 *   restoredVersion: 6,
 *   refusedBy: 5,
 *   answered: 5,
 *   detail: "log_level: Invalid option",
 * });
 * // "config-refresh revert: version 7 refused by 5 of 5 instances (log_level: Invalid option);
 * //  value of version 6 restored"
 * ```
 */
export function revertDescription(facts: RevertFacts): string {
  const head =
    `${REVERT_MARK} version ${facts.refusedVersion} ` +
    `refused by ${facts.refusedBy} of ${facts.answered} instances (`;
  const tail = `); value of version ${facts.restoredVersion} restored`;
  const room = MAX_DESCRIPTION - head.length - tail.length;
  const detail = facts.detail.length > room ? `${facts.detail.slice(0, Math.max(0, room - 1))}…` : facts.detail;
  return `${head}${detail}${tail}`;
}

/**
 * True when `version` is the one a revert wrote: its description has the mark and names the version
 * just before it as the refused one. (SSM keeps a description across later writes that send none, so
 * the mark alone does not make a later human write a revert.)
 */
export function isRevertVersion(version: number, description: string | undefined): boolean {
  if (!description?.startsWith(REVERT_MARK)) return false;
  const refused = /^config-refresh revert: version (\d+) /.exec(description)?.[1];
  return refused !== undefined && Number(refused) === version - 1;
}
