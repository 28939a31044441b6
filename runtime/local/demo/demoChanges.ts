import { GetParameterCommand } from "@aws-sdk/client-ssm";
import type { InstanceOutcome as RpcOutcome } from "../../lambda/types";
import type { AckMessage, AckVia } from "../../protocol/ackMessage";
import type { WrittenParameter } from "../../operator/relay/writeParameter";
import type { InvocationRecord } from "../invoker/queueInvoker";
import type { LocalPipeline } from "../types/pipeline";
import { followRevert, type RevertFollowUp } from "./followRevert";

/** A change the demo makes: one or more writes of one key. */
export interface PlannedChange {
  /** What it shows, e.g. `a value the service schema rejects`. */
  purpose: string;
  /** Key relative to the prefix. */
  key: string;
  /** Values written in order (a burst when several); the last one is the one that counts. */
  values: string[];
  /** Whether the instances must apply the last value or refuse it. */
  expect: "applied" | "rejected";
}

/** What one instance did with a change. */
export interface InstanceChangeOutcome {
  instanceId: string;
  /** From the handler's `Refresh` call (or `ACK` from the acks when the call result is missing). */
  outcome: RpcOutcome | "no answer";
  /** NACK reason (`VALIDATION_FAILED`), or the call's error. */
  reason?: string;
  /** Version it holds for the key after the change. */
  heldVersion?: number;
  /** Write returned → applied on this instance (its ack's `appliedAt`), ms. */
  latencyMs?: number;
  /** Which path applied it first. */
  via?: AckVia;
}

/** What a planned change did across the fleet. */
export interface ChangeReport {
  change: PlannedChange;
  /** Full SSM name. */
  name: string;
  /** The value before the first write. */
  before?: string;
  writes: WrittenParameter[];
  /** The last write. */
  final: WrittenParameter;
  /** Versions the handler published for this name while the change settled (a burst collapses). */
  publishedVersions: number[];
  /** Handler invocations that published this name. */
  invocations: number;
  instances: InstanceChangeOutcome[];
  /** Every instance applied it (`applied`), or refused it and none applied it (`rejected`). */
  ok: boolean;
  /** For a `rejected` change: the function's revert of it, and the fleet taking the revert. */
  revert?: RevertFollowUp;
}

/** Polls of the acks stream while waiting for a change to settle. */
const ACK_POLL_MS = 25;

/**
 * Makes one planned change through the pipeline (each write relayed as its change event) and waits,
 * at most `timeoutMs`, until it settled on every running instance: acknowledged at the last version
 * (`applied`), or answered on the `Refresh` call of the invocation that published it (`rejected`;
 * then also until every instance holds the version the function reverted it with).
 *
 * @example
 * ```ts
 * const report = await makeChange(
 *   pipeline,
 *   { purpose: "a valid change", key: "log_level", values: ["info"], expect: "applied" },
 *   15_000,
 * );
 * ```
 */
export async function makeChange(
  pipeline: LocalPipeline,
  change: PlannedChange,
  timeoutMs: number,
): Promise<ChangeReport> {
  const name = pipeline.prefix + change.key;
  const instanceIds = pipeline.fleet.instances
    .map((instance) => instance.instanceId)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const before = await currentValue(pipeline, name);
  const firstAck = await pipeline.latestAckId();
  let ackCursor = firstAck;
  const firstRecord = (pipeline.invoker.records.at(-1)?.sequence ?? 0) + 1;
  const writes: WrittenParameter[] = [];
  for (const value of change.values) writes.push(await pipeline.writeParameter(name, value));
  const final = writes.at(-1);
  if (!final) throw new Error(`the demo change of ${change.key} has no value to write`);

  const acks: AckMessage[] = [];
  const deadline = final.writtenAt + timeoutMs;
  const publishing = (record: InvocationRecord): boolean =>
    record.sequence >= firstRecord &&
    (record.result?.published.some((c) => c.name === name && c.version === final.version) ?? false);
  const answered = (): InvocationRecord | undefined => pipeline.invoker.records.find(publishing);
  const settled = (): boolean => {
    const applied = new Set(
      acks.filter((a) => a.name === name && a.version === final.version).map((a) => a.instanceId),
    );
    const record = answered();
    const called = new Set(record?.result?.instances.map((i) => i.instanceId) ?? []);
    return instanceIds.every((id) => (applied.has(id) || change.expect === "rejected") && called.has(id));
  };
  while (!settled() && Date.now() < deadline) {
    const batch = await pipeline.readAcks(ackCursor);
    ackCursor = batch.lastId;
    acks.push(...batch.acks);
    if (!settled()) await new Promise((resolve) => setTimeout(resolve, ACK_POLL_MS));
  }

  const records = pipeline.invoker.records.filter(
    (r) => r.sequence >= firstRecord && r.result?.published.some((c) => c.name === name),
  );
  const publishedVersions = records.flatMap((r) =>
    (r.result?.published ?? []).filter((c) => c.name === name).map((c) => c.version),
  );
  const rpc = answered()?.result?.instances ?? [];
  const instances = instanceIds.map((instanceId): InstanceChangeOutcome => {
    const ack = acks.find((a) => a.instanceId === instanceId && a.name === name && a.version === final.version);
    const call = rpc.find((i) => i.instanceId === instanceId);
    const result = call?.results.find((r) => r.name === name);
    const outcome: InstanceChangeOutcome = { instanceId, outcome: call?.outcome ?? (ack ? "ACK" : "no answer") };
    const reason = result?.reason ?? call?.error;
    if (reason) outcome.reason = reason;
    if (ack) {
      outcome.heldVersion = final.version;
      outcome.latencyMs = ack.appliedAt - final.writtenAt;
      outcome.via = ack.via;
    } else if (result) outcome.heldVersion = result.version;
    return outcome;
  });
  const ok =
    change.expect === "applied"
      ? instances.every((i) => i.heldVersion === final.version && i.latencyMs !== undefined)
      : instances.every((i) => i.outcome === "NACK" && i.latencyMs === undefined);
  const revert =
    change.expect === "rejected"
      ? await followRevert(pipeline, answered(), final, instanceIds, firstAck, deadline)
      : undefined;
  return {
    change,
    name,
    ...(before !== undefined ? { before } : {}),
    writes,
    final,
    publishedVersions,
    invocations: records.length,
    instances,
    ok,
    ...(revert ? { revert } : {}),
  };
}

async function currentValue(pipeline: LocalPipeline, name: string): Promise<string | undefined> {
  try {
    return (await pipeline.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch {
    return undefined;
  }
}

/**
 * The demo's changes: one valid (`log_level` to the other level), one the example service's schema
 * rejects (`http/timeout_ms` = `fast`: the function reverts it), a burst of 50 writes on
 * `cache/ttl_seconds`, then a valid write on the reverted key.
 */
export function demoChanges(current: { logLevel?: string; timeoutMs?: string; ttlSeconds?: string }): PlannedChange[] {
  const ttl = Number.parseInt(current.ttlSeconds ?? "", 10);
  const base = Number.isInteger(ttl) && ttl >= 0 && ttl < 80_000 ? ttl : 30;
  const timeoutMs = current.timeoutMs ?? "";
  return [
    {
      purpose: "a valid change",
      key: "log_level",
      values: [current.logLevel === "info" ? "debug" : "info"],
      expect: "applied",
    },
    {
      purpose: "a value the service schema rejects: it wants whole milliseconds",
      key: "http/timeout_ms",
      values: ["fast"],
      expect: "rejected",
    },
    {
      purpose: "a burst of 50 writes on one key",
      key: "cache/ttl_seconds",
      values: Array.from({ length: 50 }, (_, i) => String(base + i + 1)),
      expect: "applied",
    },
    {
      purpose: "a valid write on the reverted key",
      key: "http/timeout_ms",
      values: [/^\d+$/.test(timeoutMs) ? timeoutMs : "5000"],
      expect: "applied",
    },
  ];
}
