import { sleep } from "../support/clock";
import type { BenchPipeline } from "../support/benchPipeline";
import type { WorkerFleet } from "../workers/workerFleet";
import { FLOOR_STREAM_KEY, LatencyCases, type Sample } from "./latencyCases";

/** The cases measured at each fleet size, interleaved sample by sample. */
export const DIRECT_CASES = ["redisFloor", "stream", "grpcFloor", "rpc", "ssmRead"] as const;
/** A case of the end-to-end benchmark: ours (`stream`, `rpc`, `fullPath`) or a floor. */
export type CaseName = (typeof DIRECT_CASES)[number] | "fullPath";

/** Options of {@link benchEndToEnd}. */
export interface EndToEndOptions {
  fleetSizes: readonly number[];
  /** Recorded samples per case and fleet size. */
  samples: number;
  /** Samples per case run first and thrown away (connections, JIT, moto's caches). */
  warmup: number;
  /** Fleet sizes at which the full local path (relay → EventBridge → SQS → invoker) is measured too. */
  fullPathSizes: readonly number[];
  fullPathSamples: number;
  /** Pause between two samples, so one's acknowledgements do not overlap the next. */
  gapMs: number;
  /** The direct cases to run (default all: a subset is for profiling one of them). */
  cases?: readonly (typeof DIRECT_CASES)[number][];
}

/** Everything measured at one fleet size. */
export interface FleetMeasurement {
  fleet: number;
  /** Worker processes hosting the clients (and the floors' readers and servers). */
  processes: number;
  samples: Partial<Record<CaseName, Sample[]>>;
  /** Start time of each client added for this size, ms. */
  clientStartMs: number[];
}

/** Result of {@link benchEndToEnd}. */
export interface EndToEndResult {
  measurements: FleetMeasurement[];
  /** Samples where some reader was not back in XREAD when the change was sent (bounded wait expired). */
  notBlocked: number;
}

/**
 * The end-to-end benchmark: grows the fleet through `fleetSizes` (ConfigClients plus, in the same
 * worker processes, as many bare XREAD readers and bare gRPC servers) and at each size measures
 * our two paths and their floors, interleaved round by round so that both see the same machine.
 */
export async function benchEndToEnd(
  env: BenchPipeline,
  fleet: WorkerFleet,
  options: EndToEndOptions,
  log: (line: string) => void,
): Promise<EndToEndResult> {
  let readers = 0;
  const cases = new LatencyCases(env, fleet, () => readers);
  const measurements: FleetMeasurement[] = [];
  try {
    for (const size of options.fleetSizes) {
      const clientStartMs = await fleet.growClients(size, {
        parameterPath: env.prefix,
        streamKey: env.streamKey,
        redisUrl: env.pipeline.redisUrl,
        awsEndpoint: env.awsEndpoint,
        refreshToken: env.pipeline.refreshToken,
        serviceId: env.pipeline.registry.serviceId,
        idPrefix: "bench",
      });
      await fleet.growReaders(size, env.pipeline.redisUrl, FLOOR_STREAM_KEY);
      readers = size;
      cases.addBareServers(await fleet.growServers(size));
      const measurement: FleetMeasurement = {
        fleet: size,
        processes: fleet.processesWithClients,
        samples: {},
        clientStartMs,
      };
      log(`fleet of ${size} (${measurement.processes} processes): warming up`);

      const run = async (name: CaseName, record: boolean): Promise<void> => {
        const sample = await runCase(cases, name);
        if (record) {
          const list = measurement.samples[name] ?? [];
          measurement.samples[name] = list;
          list.push(sample);
        }
        await sleep(options.gapMs);
      };
      const direct = options.cases ?? DIRECT_CASES;
      for (let round = 0; round < options.warmup; round++) for (const name of direct) await run(name, false);
      await cases.clear();
      for (let round = 0; round < options.samples; round++) {
        // Rotate the order so no case always runs right after the same other one.
        for (let i = 0; i < direct.length; i++) await run(direct[(round + i) % direct.length]!, true);
      }
      if (options.fullPathSizes.includes(size)) {
        for (let i = 0; i < Math.min(3, options.fullPathSamples); i++) await run("fullPath", false);
        await cases.clear();
        for (let i = 0; i < options.fullPathSamples; i++) await run("fullPath", true);
      }
      measurements.push(measurement);
      log(`fleet of ${size}: done`);
    }
  } finally {
    cases.close();
  }
  return { measurements, notBlocked: cases.notBlocked };
}

function runCase(cases: LatencyCases, name: CaseName): Promise<Sample> {
  switch (name) {
    case "redisFloor":
      return cases.redisFloor();
    case "stream":
      return cases.stream();
    case "grpcFloor":
      return cases.grpcFloor();
    case "rpc":
      return cases.rpc();
    case "ssmRead":
      return cases.ssmRead();
    case "fullPath":
      return cases.fullPath();
  }
}
