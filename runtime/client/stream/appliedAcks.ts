import type { AckMessage } from "../../protocol";
import type { AppliedResult } from "../state/ConfigStore";
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
