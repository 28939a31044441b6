import * as path from "node:path";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { emulatorClientConfig } from "../../runtime/local";
import { monotonicNs, msBetween } from "../support/clock";
import type { BenchPipeline } from "../support/benchPipeline";
import { runMeasuringChild } from "../support/measuringChild";
import type { ScaleFigures } from "./scaleChild";
import { SsmStandIn } from "./ssmStandIn";

/** How long one child may take before it is killed. */
const CHILD_TIMEOUT_MS = 90_000;
/** PutParameter calls in flight while seeding moto. */
const SEED_CONCURRENCY = 16;

/** One start of a fresh client process. */
export interface ScaleRun extends ScaleFigures {
  source: "moto" | "stand-in";
  /** The parent's spawn → client ready (Node start, module loading, the client's start), ms. */
  spawnToReadyMs: number;
}

/** Options of {@link benchScale}. */
export interface ScaleOptions {
  /** Parameter counts served by the SSM stand-in. */
  standInSizes: readonly number[];
  /** Parameter count also seeded into moto (the real emulator), for comparison. */
  motoSize: number;
  /** Starts per size. */
  runs: number;
  /** Changes applied after each start (timed). */
  applyTries: number;
}

/**
 * Scale: a fresh process starts one ConfigClient on a path of N parameters. Against moto: the
 * bench's own path (the restart-to-reload baseline) and `motoSize` seeded parameters; against the
 * SSM stand-in (pages of 10, served from memory): every size of `standInSizes`. Each start is its
 * own child process (`scaleChild.ts`), so RSS figures are the client's alone.
 */
export async function benchScale(
  env: BenchPipeline,
  options: ScaleOptions,
  log: (line: string) => void,
): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  const start = async (source: ScaleRun["source"], endpoint: string, parameterPath: string): Promise<void> => {
    for (let i = 0; i < options.runs; i++)
      runs.push({ source, ...(await startChild(env, endpoint, parameterPath, options.applyTries)) });
  };

  log(`restart baseline: ${env.prefix} on moto`);
  await start("moto", env.awsEndpoint, env.prefix);

  const motoPath = `/bench/scale${options.motoSize}/`;
  log(`seeding ${options.motoSize} parameters into moto`);
  const seeded = await seedMoto(env.awsEndpoint, motoPath, options.motoSize);
  log(`seeded in ${(seeded / 1000).toFixed(1)} s`);
  await start("moto", env.awsEndpoint, motoPath);

  for (const size of options.standInSizes) {
    const standInPath = `/bench/standin${size}/`;
    const standIn = await SsmStandIn.start(standInPath, size);
    try {
      log(`${size} parameters on the SSM stand-in`);
      await start("stand-in", standIn.endpoint, standInPath);
    } finally {
      await standIn.stop();
    }
  }
  return runs;
}

async function seedMoto(endpoint: string, parameterPath: string, count: number): Promise<number> {
  const ssm = new SSMClient(emulatorClientConfig(endpoint));
  const started = Date.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: SEED_CONCURRENCY }, async () => {
        while (next < count) {
          const i = next++;
          await ssm.send(
            new PutParameterCommand({
              Name: `${parameterPath}group_${Math.floor(i / 50)}/key_${i}`,
              Value: `value-${i}-${"x".repeat(24)}`,
              Type: "String",
              Overwrite: true,
            }),
          );
        }
      }),
    );
  } finally {
    ssm.destroy();
  }
  return Date.now() - started;
}

async function startChild(
  env: BenchPipeline,
  endpoint: string,
  parameterPath: string,
  applyTries: number,
): Promise<Omit<ScaleRun, "source">> {
  const streamKey = `bench:scale:{${parameterPath}}`;
  const spawned = monotonicNs();
  const figures = await runMeasuringChild<ScaleFigures>(
    path.join(__dirname, "scaleChild.ts"),
    [endpoint, env.pipeline.redisUrl, parameterPath, streamKey, String(applyTries)],
    `the scale child for ${parameterPath}`,
    CHILD_TIMEOUT_MS,
  );
  return { ...figures, spawnToReadyMs: msBetween(spawned, BigInt(figures.readyAtNs)) };
}
