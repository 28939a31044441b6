import { OperatorError } from "../errors";
import type { HistoryVersion, ParameterHistory } from "./parameterHistory";

/**
 * The version `rollback` restores: `to` when given (it must be kept by SSM and not be the current
 * one), else the newest earlier version the fleet applied without a refusal (known outcome, applied
 * by at least one instance, refused by none) whose value differs from the current one.
 *
 * @throws {@link OperatorError} (exit 1) with a sentence when there is no such version.
 *
 * @example
 * ```ts
 * const target = rollbackTarget(history); // the previous accepted value
 * const pinned = rollbackTarget(history, 7);
 * ```
 */
export function rollbackTarget(history: ParameterHistory, to?: number): HistoryVersion {
  const [current, ...earlier] = history.versions;
  if (!current) throw new OperatorError(`SSM keeps no version of ${history.name}: nothing to roll back to`);
  const kept = `SSM keeps versions ${history.versions.at(-1)?.version}–${current.version}`;
  if (to !== undefined) {
    const pinned = history.versions.find((v) => v.version === to);
    if (!pinned) {
      const forgotten = to <= history.forgottenUpTo ? ": it was dropped from the history" : "";
      throw new OperatorError(
        `version ${to} of ${history.name} is not in SSM's history (${kept}${forgotten}): nothing was written`,
      );
    }
    if (pinned.version === current.version)
      throw new OperatorError(
        `version ${to} is the current version of ${history.name}: nothing to roll back to; nothing was written`,
      );
    return pinned;
  }
  const accepted = earlier.find(
    (v) => v.fleet.known && v.fleet.appliedBy.length > 0 && v.fleet.refusals.length === 0 && v.value !== current.value,
  );
  if (accepted) return accepted;
  const unknown = earlier.filter((v) => !v.fleet.known).length;
  throw new OperatorError(
    `no earlier version of ${history.name} was applied by the fleet without refusals, with a value other than ` +
      `the current one (${kept}${unknown > 0 ? `; ${unknown} of them with an unknown outcome` : ""}): ` +
      "nothing was written; give --to VERSION to pick one",
  );
}
