import type { InstanceRefreshResult, PublishedChange } from "../types/RefreshResult";

/** What the instances that answered said about one published change. */
export interface FleetVerdict {
  readonly change: PublishedChange;
  /** `refused`: every answer is NACK VALIDATION_FAILED; `mixed`: some refused it, others did not. */
  readonly verdict: "refused" | "mixed";
  /** Instances that refused it for their schema. */
  readonly refusedBy: number;
  /** Instances that answered about it. */
  readonly answered: number;
  /** The newest version an instance that refused it still holds (0: none holds one). */
  readonly heldVersion: number;
  /** The first refusal's reason (the schema's words, never a value). */
  readonly detail: string;
}

/**
 * Per published change that at least one instance refused for its schema: whether the whole
 * answering fleet refused it (at least one answer, none acknowledged, every one VALIDATION_FAILED)
 * or only part of it. Unreachable instances say nothing. Pure.
 */
export function fleetVerdicts(
  published: readonly PublishedChange[],
  instances: readonly InstanceRefreshResult[],
): FleetVerdict[] {
  const verdicts: FleetVerdict[] = [];
  for (const change of published) {
    const answers = instances.flatMap((instance) => instance.results.filter((r) => r.name === change.name));
    const refusals = answers.filter((r) => r.outcome === "NACK" && r.reason === "VALIDATION_FAILED");
    if (refusals.length === 0) continue;
    verdicts.push({
      change,
      verdict: refusals.length === answers.length ? "refused" : "mixed",
      refusedBy: refusals.length,
      answered: answers.length,
      heldVersion: Math.max(0, ...refusals.map((r) => Number(r.version))),
      detail: refusals[0]?.detail ?? "",
    });
  }
  return verdicts;
}
