/**
 * `npm run bench`: runs every benchmark, prints its figures, writes bench/RESULTS.md and the plot
 * bench/latency.svg. Benchmarks print figures; they assert no timing. Bounded: every loop has a
 * fixed count or a deadline, and everything started (moto, Redis, worker and child processes) is
 * stopped, also on failure or Ctrl-C. Set BENCH_CPU_PROF=<dir> to write the fleet workers' CPU profiles.
 * `npm run bench -- <part>...` runs only the parts named (see `PARTS`) and prints them, writing nothing.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLIENT_DEFAULTS } from "../runtime/client/resolveOptions";
import { costSection } from "./cost/costTable";
import { benchFleet, type FleetBenchOptions } from "./fleet/benchFleet";
import { benchCostPerChange } from "./cost/benchCostPerChange";
import { benchEndToEnd, type EndToEndOptions } from "./endToEnd/benchEndToEnd";
import { breakdownSection, endToEndSection, floorsSection, fullPathSection } from "./endToEnd/endToEndTables";
import { benchParametersProgram } from "./parametersProgram";
import { benchIdleRedis, type IdleOptions } from "./polling/benchIdleRedis";
import { benchPolling, type PollingOptions } from "./polling/benchPolling";
import { idleRedisSection, perInstancePerMinute } from "./polling/idleRedisTable";
import { pollingSection } from "./polling/pollingTable";
import { benchReadPath } from "./readPath/benchReadPath";
import { readPathSection } from "./readPath/readPathTable";
import { latencyFigure } from "./report/latencyFigure";
import { describeMachine } from "./report/machine";
import { benchScale, type ScaleOptions } from "./scale/benchScale";
import { scaleSection } from "./scale/scaleTable";
import { LocalMotoServer } from "../runtime/local/servers";
import { median, summarize, toMarkdown, toText, type BenchSection } from "./stats";
import { HOT_KEYS, startBenchPipeline, type BenchPipeline } from "./support/benchPipeline";
import { WorkerFleet } from "./workers/workerFleet";

/** Worker processes hosting the fleet (and the floors' readers and servers). */
const WORKERS = 4;
const END_TO_END: EndToEndOptions = {
  fleetSizes: [1, 10, 50, 100],
  samples: 100,
  warmup: 10,
  fullPathSizes: [1, 100],
  fullPathSamples: 30,
  gapMs: 15,
};
const POLLING: Omit<PollingOptions, "parameters"> = {
  pollers: 20,
  maxAgeSeconds: 5,
  readEveryMs: 50,
  changeWindowMs: 20_000,
  changeGapMs: [1_500, 4_500],
};
/** Idle clients: the former cadence (block 5 s, a check after every idle block) beside the defaults. */
const IDLE: IdleOptions = {
  instances: 100,
  // Two default blocks: a whole number of blocks of both configurations.
  windowMs: 2 * CLIENT_DEFAULTS.blockMs,
  configurations: [
    { label: "former", stream: { blockMs: 5_000, positionCheckEvery: 1 } },
    { label: "defaults", stream: {} },
  ],
};
const BURSTS = [1, 10, 100];
/** Parameters in the bench's app_config: the hot keys and 20 others (see `startBenchPipeline`). */
const FLEET_PARAMETERS = HOT_KEYS.length + 20;
const FLEET_COST: FleetBenchOptions = {
  sizes: [100, 1_000, 10_000],
  // The example: 16 parameters, 2 pages a load.
  parameters: 16,
  measuredInstances: 1_000,
  workers: WORKERS,
  // Two of the default 60 s blocks, so the idle count holds whole blocks and the spread position checks.
  idleWindowMs: 125_000,
  wakeupReaders: [1_000, 10_000],
  wakeupRounds: { samples: 10, warmup: 2 },
};
/** 20 changes per start: the first two run code not yet optimized, and a median of 5 would weigh them. */
const SCALE: ScaleOptions = { standInSizes: [1_000, 10_000], motoSize: 1_000, runs: 3, applyTries: 20 };

const started = Date.now();
const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);

/** Parts `npm run bench -- <part>` runs alone (with what they need started for them). */
const PARTS: Record<string, () => Promise<BenchSection[]>> = {
  fleet: () => benchFleet(FLEET_COST, log),
  readPath: () => onBenchPipeline(async (env) => [readPathSection(await benchReadPath(env))]),
  scale: () => onBenchPipeline(async (env) => [scaleSection(await benchScale(env, SCALE, log))]),
  idle: async () => {
    const moto = await LocalMotoServer.start();
    try {
      return [idleRedisSection(await benchIdleRedis(moto.endpoint, IDLE, log))];
    } finally {
      await moto.stop();
    }
  },
};

/** Runs `part` on a bench pipeline of its own, stopped after. */
async function onBenchPipeline(part: (env: BenchPipeline) => Promise<BenchSection[]>): Promise<BenchSection[]> {
  const env = await startBenchPipeline();
  try {
    return await part(env);
  } finally {
    await env.stop();
  }
}

async function runParts(names: readonly string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in PARTS));
  if (unknown.length > 0)
    throw new Error(`unknown bench part ${unknown.join(", ")}; parts: ${Object.keys(PARTS).join(", ")}`);
  for (const name of names) {
    log(name);
    for (const section of await (PARTS[name] as () => Promise<BenchSection[]>)()) console.log(`\n${toText(section)}\n`);
  }
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2);
  if (parts.length > 0) return runParts(parts);
  const loadAtStart = os.loadavg();
  const sections: BenchSection[] = [];
  const print = (section: BenchSection | undefined): void => {
    if (!section) return;
    console.log(`\n${toText(section)}\n`);
    sections.push(section);
  };
  log("component program under mocks (1 / 200 / 2,000 parameters)");
  const programSection = await benchParametersProgram();

  log("starting the local pipeline (moto_server, redis-server, the component's resources, invoker)");
  let env: BenchPipeline | undefined;
  let fleet: WorkerFleet | undefined;
  const stopAll = async (): Promise<void> => {
    await fleet?.stop();
    fleet = undefined;
    await env?.stop();
    env = undefined;
  };
  process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
  try {
    env = await startBenchPipeline();
    fleet = WorkerFleet.start(WORKERS, process.env.BENCH_CPU_PROF);
    log(`pipeline ready: moto ${env.awsEndpoint}, Redis ${env.pipeline.redisUrl}, ${WORKERS} worker processes`);

    const e2e = await benchEndToEnd(env, fleet, END_TO_END, log);
    print(endToEndSection(e2e));
    print(floorsSection(e2e));
    print(breakdownSection(e2e));
    print(fullPathSection(e2e));

    log("cost per change");
    print(costSection(await benchCostPerChange(env, fleet, BURSTS)));

    log("polling side by side (the fleet idle meanwhile)");
    const pollingOptions: PollingOptions = { ...POLLING, parameters: FLEET_PARAMETERS };
    const polling = await benchPolling(env, fleet, pollingOptions);
    const largest = e2e.measurements[e2e.measurements.length - 1]!;
    const stream = summarize((largest.samples.stream ?? []).map((s) => s.latencyMs));
    await fleet.stop();
    fleet = undefined;

    log("read path");
    print(readPathSection(await benchReadPath(env)));

    log("scale");
    const scale = await benchScale(env, SCALE, log);
    const restart = median(
      scale.filter((r) => r.source === "moto" && r.parameters === FLEET_PARAMETERS).map((r) => r.spawnToReadyMs),
    );

    log(`idle Redis commands: former cadence against the defaults (${IDLE.windowMs / 1000} s)`);
    const idle = await benchIdleRedis(env.awsEndpoint, IDLE, log);
    const idleDefaults = idle[idle.length - 1];
    print(
      pollingSection(polling, pollingOptions, {
        streamP50: stream.p50,
        streamP99: stream.p99,
        fleet: largest.fleet,
        parameters: FLEET_PARAMETERS,
        reloadIntervalMs: CLIENT_DEFAULTS.reloadIntervalMs,
        positionCheckEvery: CLIENT_DEFAULTS.positionCheckEvery,
        restartMs: restart,
        idleRedisPerMinute: idleDefaults ? perInstancePerMinute(idleDefaults) : Number.NaN,
      }),
    );
    print(idleRedisSection(idle));
    print(scaleSection(scale));
    print(programSection);

    const machine = await describeMachine(env.admin, loadAtStart);
    await stopAll();
    log("fleet cost (simulated 100 to 10,000 instances, measured where it fits)");
    for (const section of await benchFleet(FLEET_COST, log)) print(section);
    const totalSeconds = (Date.now() - started) / 1000;
    const svg = latencyFigure(
      e2e.measurements,
      `${WORKERS} worker processes host the clients; moto, Redis and the handler (bench process) share the same 2 cores. ${END_TO_END.samples} samples per curve.`,
    );
    writeFileSync(path.join(__dirname, "latency.svg"), svg);
    writeFileSync(path.join(__dirname, "RESULTS.md"), results(sections, machine, totalSeconds));
    log(`wrote bench/RESULTS.md and bench/latency.svg (npm run bench took ${totalSeconds.toFixed(0)} s)`);
  } finally {
    await stopAll();
  }
}

function results(sections: readonly BenchSection[], machine: string, totalSeconds: number): string {
  const fixes = path.join(__dirname, "FIXES.md");
  return [
    "# Benchmark results",
    "",
    `Measured ${new Date(started).toISOString()} by \`npm run bench\` in ${totalSeconds.toFixed(0)} s; every figure below comes from this one run. ${machine}`,
    "",
    `Process layout: the refresh handler, the writer and the floors' callers run in the bench process; the clients run ${WORKERS} worker processes (a fleet of N puts ⌈N/4⌉ ConfigClients in each, a fleet of 1 uses one process), beside moto_server and redis-server of their own. All of it shares this machine's cores, so a fleet of 100 here is 100 instances on 2 cores: the per-instance work of a change is done 25 times in a row in each process. Latencies are read on the machine-wide monotonic clock in the process where they happen.`,
    "",
    "![latency distributions](latency.svg)",
    "",
    ...sections.map(toMarkdown),
    existsSync(fixes) ? readFileSync(fixes, "utf8") : "",
  ].join("\n");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
