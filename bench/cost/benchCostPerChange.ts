import { PutParameterCommand } from "@aws-sdk/client-ssm";
import type { RefreshResult } from "../../runtime/lambda/types";
import { countDelta, sumCounts } from "../support/callCounter";
import { HOT_KEYS, type BenchPipeline } from "../support/benchPipeline";
import { parameterChangeEvent } from "../support/changeEvent";
import { sleep } from "../support/clock";
import { redisCommandCounts } from "../support/redisCommandStats";
import type { Arrival } from "../workers/arrivalBook";
import type { WorkerFleet } from "../workers/workerFleet";

/** How the events of a burst reach the function. */
export type Delivery =
  /** Each write's event is handled before the next write (no two changes of a burst meet). */
  | "each"
  /** The whole burst is written, then each event is handled (one invocation per event, as EventBridge invokes a Lambda). */
  | "after";

/** What one burst cost, counted. */
export interface BurstCost {
  changes: number;
  delivery: Delivery;
  invocations: number;
  /** Entries the handler put on the stream. */
  published: number;
  /** Refresh calls made (instances × invocations that published). */
  refreshCalls: number;
  /** SSM calls of the refresh function, by operation. */
  handlerSsm: Record<string, number>;
  /** Cloud Map calls of the refresh function. */
  handlerCloudMap: Record<string, number>;
  /** SSM calls of the whole fleet (String values travel on the stream: expected none). */
  fleetSsm: Record<string, number>;
  /** Redis commands executed by the server (function and fleet), by command. */
  redis: Record<string, number>;
  instances: number;
}

/**
 * Cost per change: bursts of `K` changes over the hot keys, delivered to the real refresh function
 * as deployed (stream and Cloud Map; `fullHandler`, one invocation per event), with the whole fleet
 * listening. SSM and Cloud Map calls are counted in the SDK middleware, Redis commands with
 * `INFO commandstats` deltas on the bench's own Redis. Writes (PutParameter) are not counted.
 */
export async function benchCostPerChange(
  env: BenchPipeline,
  fleet: WorkerFleet,
  bursts: readonly number[],
): Promise<BurstCost[]> {
  const costs: BurstCost[] = [];
  let sequence = 0;
  for (const delivery of ["each", "after"] as const) {
    for (const changes of bursts) {
      await sleep(200);
      const fleetBefore = await fleet.counters();
      const ssmBefore = env.handlerSsmCalls.snapshot();
      const cloudMapBefore = env.handlerCloudMapCalls.snapshot();
      const redisBefore = await redisCommandCounts(env.admin);
      const results: RefreshResult[] = [];
      const finalVersion = new Map<string, number>();
      const pending: string[] = [];
      for (let i = 0; i < changes; i++) {
        const name = env.prefix + HOT_KEYS[i % HOT_KEYS.length];
        const put = await env.writer.send(
          new PutParameterCommand({ Name: name, Value: `c${++sequence}`, Type: "String", Overwrite: true }),
        );
        finalVersion.set(name, put.Version ?? 0);
        if (delivery === "each") results.push(await invoke(env, name));
        else pending.push(name);
      }
      for (const name of pending) results.push(await invoke(env, name));
      // Settled: every instance holds the last version of every key, and its acks are written.
      await Promise.all(
        [...finalVersion].map(([name, version]) =>
          fleet.ask<Arrival[]>({ op: "collectApplied", name, version, timeoutMs: 10_000 }, (w) => w.clients),
        ),
      );
      await sleep(300);
      await fleet.ask({ op: "clear" });
      const redisAfter = await redisCommandCounts(env.admin);
      const fleetAfter = await fleet.counters();
      const redis = countDelta(redisBefore, redisAfter);
      delete redis.info;
      costs.push({
        changes,
        delivery,
        invocations: results.length,
        published: results.reduce((sum, r) => sum + r.published.length, 0),
        refreshCalls: results.reduce((sum, r) => sum + r.instances.length, 0),
        handlerSsm: countDelta(ssmBefore, env.handlerSsmCalls.snapshot()),
        handlerCloudMap: countDelta(cloudMapBefore, env.handlerCloudMapCalls.snapshot()),
        fleetSsm: countDelta(
          sumCounts(fleetBefore.map((w) => w.ssmCalls)),
          sumCounts(fleetAfter.map((w) => w.ssmCalls)),
        ),
        redis,
        instances: fleet.clients,
      });
    }
  }
  return costs;
}

function invoke(env: BenchPipeline, name: string): Promise<RefreshResult> {
  return env.fullHandler(
    parameterChangeEvent({ operation: "Update", name, type: "String", arn: env.arns.get(name) ?? "" }, env.region),
  );
}
