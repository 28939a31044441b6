import * as path from "node:path";
import type { BenchPipeline } from "../support/benchPipeline";
import { runMeasuringChild } from "../support/measuringChild";
import type { ReadPathFigures } from "./readPathChild";

/** How long the child may take before it is killed. */
const CHILD_TIMEOUT_MS = 60_000;

/**
 * The read path: `client.get(key)` in a child process of its own (`--expose-gc`, nothing else
 * running in it), against a plain object lookup and `Map.get` over the same keys, with the heap
 * growth per call. The client is booted on the bench's path (moto, Redis) with acks off.
 */
export function benchReadPath(env: BenchPipeline, runs = 5, calls = 5_000_000): Promise<ReadPathFigures> {
  return runMeasuringChild<ReadPathFigures>(
    path.join(__dirname, "readPathChild.ts"),
    [env.awsEndpoint, env.pipeline.redisUrl, env.prefix, env.streamKey, String(runs), String(calls)],
    "the read-path child",
    CHILD_TIMEOUT_MS,
  );
}
