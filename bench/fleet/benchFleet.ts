import * as os from "node:os";
import { Redis } from "ioredis";
import { resolveOptions } from "../../runtime/client/resolveOptions";
import { PARAMETERS_PAGE_SIZE } from "../../runtime/client/ssm/loadParameters";
import { ClientOptionsError } from "../../runtime/client/errors";
import { LocalRedisServer } from "../../runtime/local/servers";
import { SsmStandIn } from "../scale/ssmStandIn";
import type { BenchSection } from "../stats";
import { WorkerFleet } from "../workers/workerFleet";
import { NEW, scaledDesign, TODAY, type FleetDesign } from "./designs";
import { fleetSection, measuredSection, wakeupSection, type FleetResult, type SimulatedRow } from "./fleetTables";
import { measureDesign, type MeasuredDesign } from "./measuredFleet";
import { measureWakeups, openFileLimit } from "./redisWakeups";
import { simulateScenario, type FleetScenario } from "./simulatedFleet";

/** What the fleet part runs. */
export interface FleetBenchOptions {
  /** Fleet sizes simulated. */
  sizes: readonly number[];
  /** Parameters every instance holds. */
  parameters: number;
  /** Real ConfigClients measured per design (fewer when memory does not allow). */
  measuredInstances: number;
  workers: number;
  idleWindowMs: number;
  /** Blocked readers for the Redis side of a change (the largest is bounded by the machine). */
  wakeupReaders: readonly number[];
  wakeupRounds: { samples: number; warmup: number };
}

/** Connections the bench's redis-server accepts: 10,000 readers and the bench's own. */
const MAX_CLIENTS = 10_100;
/** File descriptors kept for everything but the readers (redis-server's own, the bench's). */
const SPARE_FILES = 200;
/** Memory of a worker process, and of one ConfigClient in it: above what was measured here (4 workers, 1,000 clients: 590 MiB). */
const WORKER_BYTES = 150 * 2 ** 20;
const CLIENT_BYTES = 2 ** 20;
const SCENARIOS: readonly FleetScenario[] = ["steady", "deploy", "failover", "secure"];

/**
 * `npm run bench -- fleet`: the cost of the fleet's safety nets by fleet size, today's design
 * against the new one. Simulated for 100 to 10,000 instances (the real scheduling code on a
 * simulated clock), measured on real ConfigClients where they fit, and the Redis side of one change
 * with as many blocked readers as this machine's redis-server takes.
 */
export async function benchFleet(options: FleetBenchOptions, log: (line: string) => void): Promise<BenchSection[]> {
  const pagesPerLoad = Math.ceil(options.parameters / PARAMETERS_PAGE_SIZE);
  const simulated: SimulatedRow[] = [];
  for (const instances of options.sizes) {
    for (const design of [TODAY, NEW, scaledDesign(instances, pagesPerLoad)]) {
      const figures = {} as SimulatedRow["figures"];
      for (const [i, scenario] of SCENARIOS.entries()) {
        figures[scenario] = await simulateScenario(design, instances, scenario, {
          parameters: options.parameters,
          seed: instances + i,
        });
      }
      simulated.push({ instances, design, figures, refused: await refusedOptions(design) });
    }
    log(`simulated ${instances.toLocaleString("en-US")} instances`);
  }

  const redis = await LocalRedisServer.start(undefined, { maxClients: MAX_CLIENTS });
  const standIn = await SsmStandIn.start("/bench/fleet/", options.parameters, 1);
  standIn.keepCalls = true;
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 3, retryStrategy: () => 100 });
  admin.on("error", () => undefined);
  try {
    const fits = Math.floor((os.freemem() / 2 - options.workers * WORKER_BYTES) / CLIENT_BYTES);
    const instances = Math.max(10, Math.min(options.measuredInstances, fits));
    const measuredNote =
      instances < options.measuredInstances
        ? `Measured with ${instances} clients per design, not ${options.measuredInstances}: half of the free memory (${Math.round(os.freemem() / 2 ** 30)} GiB free) holds no more.`
        : undefined;
    const measured: MeasuredDesign[] = [];
    for (const design of [TODAY, NEW]) {
      log(`measuring ${instances} real clients, ${design.label}`);
      measured.push(
        await measureDesign(design, redis, standIn, {
          instances,
          workers: options.workers,
          idleWindowMs: options.idleWindowMs,
          log,
        }),
      );
    }

    const openFiles = openFileLimit();
    const ceiling = Math.min(MAX_CLIENTS - 100, openFiles - SPARE_FILES);
    const sizes = options.wakeupReaders.map((n) => Math.min(n, ceiling));
    const readers = WorkerFleet.start(options.workers);
    let wakeups: FleetResult["wakeups"];
    try {
      wakeups = await measureWakeups(readers, redis.url, admin, [...new Set(sizes)], options.wakeupRounds, log);
    } finally {
      await readers.stop();
    }
    const result: FleetResult = {
      parameters: options.parameters,
      pagesPerLoad,
      simulated,
      measured,
      ...(measuredNote ? { measuredNote } : {}),
      wakeups,
      wakeupLimits: { openFiles, maxClients: MAX_CLIENTS },
    };
    return [fleetSection(result), measuredSection(result), wakeupSection(result)];
  } finally {
    admin.disconnect();
    await standIn.stop();
    await redis.dispose();
  }
}

/** The client's own verdict on a design's options (`resolveOptions`, the one home of their limits). */
async function refusedOptions(design: FleetDesign): Promise<string[]> {
  try {
    await resolveOptions({
      parameterPath: "/bench/fleet/",
      ssm: { send: () => Promise.resolve({}) } as never,
      redis: "redis://127.0.0.1:6379",
      ...design.client,
    });
    return [];
  } catch (error) {
    if (error instanceof ClientOptionsError) return [...error.problems];
    throw error;
  }
}
