import { fork } from "node:child_process";
import * as path from "node:path";
import type { BenchPipeline } from "../support/benchPipeline";
import type { ReadPathFigures } from "./readPathChild";

/** How long the child may take before it is killed. */
const CHILD_TIMEOUT_MS = 60_000;

/**
 * The read path: `client.get(key)` in a child process of its own (`--expose-gc`, nothing else
 * running in it), against a plain object lookup and `Map.get` over the same keys, with the heap
 * growth per call. The client is booted on the bench's path (moto, Redis) with acks off.
 */
export function benchReadPath(env: BenchPipeline, runs = 5, calls = 5_000_000): Promise<ReadPathFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "readPathChild.ts"), [env.awsEndpoint, env.pipeline.redisUrl, env.prefix, env.streamKey, String(runs), String(calls)], {
      execArgv: ["--import", "tsx", "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let figures: ReadPathFigures | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("message", (message: ReadPathFigures) => (figures = message));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (figures) resolve(figures);
      else reject(new Error(`the read-path child exited (${signal ?? code}) without figures`));
    });
  });
}
