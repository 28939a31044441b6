import type { WrittenParameter } from "../../operator/relay/writeParameter";
import type { LocalPipeline } from "../types/pipeline";
import { followRevert, type RevertFollowUp } from "./followRevert";

/** An instance started while SSM held a value its schema refuses, and what followed. */
export interface LateStartReport {
  /** Key relative to the prefix, and the refused value written. */
  key: string;
  value: string;
  /** The bad write (its change event held back until the instance was up). */
  bad: WrittenParameter;
  instanceId: string;
  /** The version it booted on, from its `State` answer. */
  bootVersion?: number;
  /** Why it holds that one and not SSM's current (the schema's words), from its `State` answer. */
  refused?: string;
  /** Instances running once it was up (the fleet the revert had to reach). */
  fleetSize: number;
  /** The function's revert once the change event was let through (times from then), and every instance taking it. */
  revert: RevertFollowUp;
  /** It booted on an older version, reported it held back, then took the revert with the rest. */
  ok: boolean;
}

/**
 * Writes a value the schema refuses while the invoker is paused (its change event waits in the
 * queue, as one still on its way would), starts one more instance, reads what it booted on, then
 * lets the event through and follows the revert to every instance; the extra instance is stopped
 * at the end, so the fleet is the one the demo started. Waits at most `timeoutMs` for each part.
 *
 * @example
 * ```ts
 * const late = await lateStart(pipeline, "http/timeout_ms", "fast", 15_000);
 * late.bootVersion; // the last valid version, older than late.bad.version
 * ```
 */
export async function lateStart(
  pipeline: LocalPipeline,
  key: string,
  value: string,
  timeoutMs: number,
): Promise<LateStartReport> {
  const name = pipeline.prefix + key;
  const ackCursor = await pipeline.latestAckId();
  const firstRecord = (pipeline.invoker.records.at(-1)?.sequence ?? 0) + 1;
  await pipeline.invoker.stop();
  let bad: WrittenParameter;
  let instanceId: string;
  let held: { bootVersion?: number; refused?: string } = {};
  try {
    bad = await pipeline.writeParameter(name, value);
    const [instance] = await pipeline.fleet.start(1);
    if (!instance) throw new Error("the fleet started no instance");
    instanceId = instance.instanceId;
    const state = await pipeline.fleetState();
    const mine = state.instances.find((i) => i.instanceId === instanceId);
    const bootVersion = mine?.held?.get(name);
    const refused = mine?.divergence.find((d) => d.name === name)?.refused;
    held = { ...(bootVersion !== undefined ? { bootVersion } : {}), ...(refused !== undefined ? { refused } : {}) };
  } finally {
    pipeline.invoker.start();
  }
  const releasedAt = Date.now();
  try {
    const deadline = Date.now() + timeoutMs;
    const record = await pipeline.invoker.waitFor(
      (r) =>
        r.sequence >= firstRecord &&
        (r.result?.published.some((c) => c.name === name && c.version === bad.version) ?? false),
      timeoutMs,
    );
    const everyone = pipeline.fleet.instances.map((i) => i.instanceId);
    const revert = await followRevert(pipeline, record, bad, everyone, ackCursor, deadline, releasedAt);
    const bootedOlder = held.bootVersion !== undefined && held.bootVersion < bad.version;
    const ok = bootedOlder && held.refused !== undefined && revert.ok;
    return { key, value, bad, instanceId, ...held, fleetSize: everyone.length, revert, ok };
  } finally {
    await pipeline.fleet.stopInstance(instanceId);
  }
}
