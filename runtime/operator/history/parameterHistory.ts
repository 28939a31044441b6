import type { SSMClient } from "@aws-sdk/client-ssm";
import { readParameterVersions } from "../../lambda/revert/readParameterVersions";
import { isRevertVersion } from "../../lambda/revert/revertDescription";
import type { ParameterType } from "../../protocol/types";
import { ParameterNotFoundError } from "../errors";
import { outcomeKnowable, revisionKey, type RecordedOutcomes, type VersionRefusal } from "./fleetOutcomes";

/** What the fleet did with one version, or why that is unknown (never a zero that means "unknown"). */
export type FleetOutcome =
  | { known: true; appliedBy: string[]; refusals: VersionRefusal[] }
  | { known: false; why: string };

/** One version SSM keeps. */
export interface HistoryVersion {
  version: number;
  /** When SSM wrote it, epoch ms. */
  modifiedAt?: number;
  /** SSM's `LastModifiedUser` (an ARN in AWS). */
  modifiedBy?: string;
  type: ParameterType;
  /** The value; absent for a SecureString read without decryption. */
  value?: string;
  description?: string;
  /** Written by the refresh function's revert (its description's mark, naming the version before it). */
  revert: boolean;
  fleet: FleetOutcome;
}

/** A parameter's history, newest version first. */
export interface ParameterHistory {
  name: string;
  /** The current version's type. */
  type: ParameterType;
  versions: HistoryVersion[];
  /** Versions 1 to this one are no longer kept by SSM (it keeps the last 100): unknown. 0: none forgotten. */
  forgottenUpTo: number;
}

/** Options of {@link readParameterHistory}. */
export interface HistoryOptions {
  /** Read values decrypted (a SecureString's value is shown); otherwise a SecureString has none. */
  decrypt: boolean;
  /** What the acks stream holds about the parameter; absent, every outcome is unknown with `why`. */
  recorded?: RecordedOutcomes;
  /** Why the outcomes are unknown when `recorded` is absent. */
  unrecordedWhy?: string;
}

/**
 * Every version SSM keeps of `name` (`GetParameterHistory`, paginated), newest first, each with what
 * the fleet did with it according to the acks stream: who applied it, who refused it and why; unknown
 * when the stream no longer holds its entries (trimmed) or was not read.
 *
 * @throws {@link ParameterNotFoundError} when SSM holds no such parameter; the SDK's errors otherwise.
 *
 * @example
 * ```ts
 * const history = await readParameterHistory(ssm, "/shop/beta/log_level", { decrypt: false, recorded });
 * history.versions[0]?.fleet; // { known: true, appliedBy: ["shop-1", "shop-2"], refusals: [] }
 * ```
 */
export async function readParameterHistory(
  ssm: SSMClient,
  name: string,
  options: HistoryOptions,
): Promise<ParameterHistory> {
  const kept = await readParameterVersions(ssm, name, options.decrypt).catch((error: unknown) => {
    if ((error as Error).name === "ParameterNotFound") throw new ParameterNotFoundError(name);
    throw error;
  });
  const current = kept[0];
  if (!current) throw new ParameterNotFoundError(name);
  const versions = kept.map((entry): HistoryVersion => {
    const version = entry.Version ?? 0;
    const type = (entry.Type ?? "String") as ParameterType;
    const modifiedAt = entry.LastModifiedDate?.getTime();
    return {
      version,
      ...(modifiedAt !== undefined ? { modifiedAt } : {}),
      ...(entry.LastModifiedUser ? { modifiedBy: entry.LastModifiedUser } : {}),
      type,
      ...(entry.Value !== undefined && (type !== "SecureString" || options.decrypt) ? { value: entry.Value } : {}),
      ...(entry.Description ? { description: entry.Description } : {}),
      revert: isRevertVersion(version, entry.Description),
      fleet: fleetOutcomeOf(options, version, modifiedAt),
    };
  });
  const oldest = versions.at(-1)?.version ?? 1;
  return { name, type: (current.Type ?? "String") as ParameterType, versions, forgottenUpTo: Math.max(0, oldest - 1) };
}

function fleetOutcomeOf(options: HistoryOptions, version: number, modifiedAt: number | undefined): FleetOutcome {
  const { recorded } = options;
  if (!recorded) return { known: false, why: options.unrecordedWhy ?? "the acks stream was not read" };
  const why = outcomeKnowable(recorded, modifiedAt);
  if (why) return { known: false, why };
  const outcome = recorded.byRevision.get(revisionKey(version, modifiedAt));
  return { known: true, appliedBy: outcome?.appliedBy ?? [], refusals: outcome?.refusals ?? [] };
}
