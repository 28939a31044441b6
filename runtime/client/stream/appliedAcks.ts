import type { AckMessage, RefusalMessage } from "../../protocol";
import type { HeldBackVersion } from "../ssm/lastValidVersions";
import type { AppliedResult, RefusedResult } from "../state/ConfigStore";
import type { HeldEntry } from "../state/configState";

/**
 * The acknowledgement of each change a batch applied, with the times that measure its path
 * (changed in SSM, published, applied) and the stream entry that carried it.
 */
export function appliedAcks(
  applied: readonly AppliedResult[],
  instanceId: string,
  appliedAt: number,
): Omit<AckMessage, "format">[] {
  return applied.map(({ candidate: { change, via, publishedAt, streamId }, version }) => ({
    instanceId,
    name: change.name,
    version,
    via,
    appliedAt,
    modifiedAt: change.modifiedAt,
    ...(via === "stream" || via === "rpc" ? { changedAt: change.changedAt } : {}),
    ...(publishedAt !== undefined ? { publishedAt } : {}),
    ...(streamId !== undefined ? { streamId } : {}),
  }));
}

/** The acknowledgement of each parameter the start loaded. */
export function bootAcks(
  held: readonly HeldEntry[],
  instanceId: string,
  appliedAt: number,
): Omit<AckMessage, "format">[] {
  return held.map(({ name, version, modifiedAt }) => ({
    instanceId,
    name,
    version,
    via: "boot" as const,
    appliedAt,
    modifiedAt,
  }));
}

/**
 * The refusal entry of each change a batch refused for its value (`VALIDATION_FAILED`, and
 * `UNKNOWN_NAME` of a change delivered live), so the fleet's verdict on a version outlives the
 * call that carried it. Delivery problems (older, unpublished, unreadable) are not verdicts.
 */
export function refusalEntries(
  refused: readonly RefusedResult[],
  instanceId: string,
  refusedAt: number,
): Omit<RefusalMessage, "format">[] {
  return refused.flatMap(({ candidate: { change, via }, reason, detail }) => {
    const recorded =
      reason === "VALIDATION_FAILED" || (reason === "UNKNOWN_NAME" && (via === "stream" || via === "rpc"));
    if (!recorded) return [];
    return [
      {
        instanceId,
        name: change.name,
        version: change.version,
        reason,
        detail,
        via,
        refusedAt,
        modifiedAt: change.modifiedAt,
      },
    ];
  });
}

/** The refusal entry of each key a start held back (its schema refused SSM's current version). */
export function heldBackRefusals(
  heldBack: readonly HeldBackVersion[],
  instanceId: string,
  refusedAt: number,
): Omit<RefusalMessage, "format">[] {
  return heldBack.map(({ name, refused, detail }) => ({
    instanceId,
    name,
    version: refused.version,
    reason: "VALIDATION_FAILED" as const,
    detail,
    via: "boot" as const,
    refusedAt,
    modifiedAt: refused.modifiedAt,
  }));
}
