import { GetParameterHistoryCommand } from "@aws-sdk/client-ssm";
import type { RevertReport } from "../../lambda/revert";
import type { WrittenParameter } from "../../operator/relay/writeParameter";
import type { InvocationRecord } from "../invoker/queueInvoker";
import type { LocalPipeline } from "../types/pipeline";

/** What became of a value every instance refused: the function's revert, and the fleet taking it. */
export interface RevertFollowUp {
  /** What the function reported for the refused version (absent: it reported nothing). */
  report?: RevertReport;
  /** The value the revert wrote back (SSM's value at the revert's version). */
  restoredValue?: string;
  /**
   * From the bad write to the revert's write, ms, by SSM's own modification times of the two versions
   * (from `since` instead, when given).
   */
  revertMs?: number;
  /** From the bad write returning (or `since`) to the last instance acknowledging the revert's version, ms. */
  convergedMs?: number;
  /** What the times are measured from: `write` (the bad write), or `since` (given by the caller). */
  measuredFrom: "write" | "since";
  /** Instances that acknowledged the revert's version, sorted. */
  appliedBy: string[];
  /** Reverted, and every instance holds the revert's version. */
  ok: boolean;
}

/** Polls of the acks stream while waiting for the revert's version. */
const ACK_POLL_MS = 25;

/**
 * After the invocation `record` answered the bad write `bad`: reads what it did about the refusal
 * and, when it reverted, waits (until `deadline`, epoch ms) for every one of `instanceIds` to
 * acknowledge the revert's version, reading the acks stream after `ackCursor`. `since` (epoch ms)
 * measures the times from another moment than the bad write (when its change event was let through).
 *
 * @example
 * ```ts
 * const revert = await followRevert(pipeline, record, bad, ["shop-1", "shop-2"], cursor, Date.now() + 15_000);
 * revert.ok && revert.report?.revertVersion; // 8
 * ```
 */
export async function followRevert(
  pipeline: LocalPipeline,
  record: InvocationRecord | undefined,
  bad: WrittenParameter,
  instanceIds: readonly string[],
  ackCursor: string,
  deadline: number,
  since?: number,
): Promise<RevertFollowUp> {
  const measuredFrom = since === undefined ? "write" : "since";
  const report = record?.result?.reverts?.find((r) => r.name === bad.name && r.refusedVersion === bad.version);
  if (report?.action !== "reverted" || report.revertVersion === undefined) {
    return { ...(report ? { report } : {}), appliedBy: [], measuredFrom, ok: false };
  }
  const version = report.revertVersion;
  const applied = new Map<string, number>();
  const everyone = (): boolean => instanceIds.every((id) => applied.has(id));
  let cursor = ackCursor;
  while (!everyone() && Date.now() < deadline) {
    const batch = await pipeline.readAcks(cursor);
    cursor = batch.lastId;
    for (const ack of batch.acks) {
      const mine = ack.name === bad.name && ack.version === version && instanceIds.includes(ack.instanceId);
      if (mine && !applied.has(ack.instanceId)) applied.set(ack.instanceId, ack.appliedAt);
    }
    if (!everyone()) await new Promise((resolve) => setTimeout(resolve, ACK_POLL_MS));
  }
  const history =
    (await pipeline.clients.ssm.send(new GetParameterHistoryCommand({ Name: bad.name, MaxResults: 50 }))).Parameters ??
    [];
  const modifiedAt = (v: number): number | undefined =>
    history.find((p) => p.Version === v)?.LastModifiedDate?.getTime();
  const [badAt, revertAt] = [since ?? modifiedAt(bad.version), modifiedAt(version)];
  const restoredValue = history.find((p) => p.Version === version)?.Value;
  return {
    report,
    ...(restoredValue !== undefined ? { restoredValue } : {}),
    ...(badAt !== undefined && revertAt !== undefined ? { revertMs: revertAt - badAt } : {}),
    ...(everyone() ? { convergedMs: Math.max(...applied.values()) - (since ?? bad.writtenAt) } : {}),
    appliedBy: [...applied.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
    measuredFrom,
    ok: everyone(),
  };
}
