import { ms, type BenchSection } from "../stats";
import { SPREAD_BUDGET_PER_SECOND, SSM_QUOTA_PER_SECOND, type FleetDesign } from "./designs";
import type { MeasuredDesign } from "./measuredFleet";
import type { WakeupFigures } from "./redisWakeups";
import type { FleetScenario, ScenarioFigures } from "./simulatedFleet";

/** One fleet size and design, simulated. */
export interface SimulatedRow {
  instances: number;
  design: FleetDesign;
  figures: Record<FleetScenario, ScenarioFigures>;
  /** Why the client's options refuse this design's values, if they do. */
  refused: string[];
}

/** What the fleet bench found. */
export interface FleetResult {
  parameters: number;
  pagesPerLoad: number;
  simulated: SimulatedRow[];
  measured: MeasuredDesign[];
  /** Why the measured fleet is smaller than asked, if it is. */
  measuredNote?: string;
  wakeups: WakeupFigures[];
  /** What bounded the readers: the open-file limit and redis-server's maxclients. */
  wakeupLimits: { openFiles: number; maxClients: number };
}

const count = (value: number): string => Math.round(value).toLocaleString("en-US");
const rate = (value: number): string => (value >= 10 ? count(value) : value.toFixed(value >= 1 ? 1 : 2));
/** A calls-a-second figure, marked when it is over SSM's quota. */
const quota = (value: number): string => `${rate(value)}${value > SSM_QUOTA_PER_SECOND ? " ✗" : ""}`;
const seconds = (valueMs: number | undefined): string => (valueMs === undefined ? "–" : `${ms(valueMs / 1000)} s`);

/** Idle Redis commands per instance per second, measured, by design key. */
function idleRedisPerSecond(result: FleetResult, design: FleetDesign): number | undefined {
  const key = design.key === "scaled" ? "new" : design.key;
  const measured = result.measured.find((m) => m.design.key === key);
  return measured === undefined ? undefined : measured.idle.redisPerInstancePerMinute / 60;
}

/** The README's table: SSM calls a second and idle Redis commands a second, by fleet size and design. */
export function fleetSection(result: FleetResult): BenchSection {
  const refusals = result.simulated.filter((row) => row.refused.length > 0);
  return {
    title: `Fleet cost: SSM calls a second against the ${SSM_QUOTA_PER_SECOND}/s quota, and idle Redis commands a second`,
    headers: [
      "instances",
      "design",
      "steady mean/s",
      "steady peak/s",
      "deploy of 10 %: peak/s",
      "failover minute: peak/s",
      "reloads spread over",
      "SecureString change: peak/s",
      "reads spread over",
      "idle Redis cmds/s",
    ],
    rows: result.simulated.map((row) => {
      const { steady, deploy, failover, secure } = row.figures;
      const redis = idleRedisPerSecond(result, row.design);
      return [
        count(row.instances),
        row.design.label + (row.refused.length > 0 ? " †" : ""),
        rate(steady.meanPerSecond),
        quota(steady.peakPerSecond),
        quota(deploy.peakPerSecond),
        quota(failover.peakPerSecond),
        seconds(failover.spreadMs),
        quota(secure.peakPerSecond),
        seconds(secure.spreadMs),
        redis === undefined ? "–" : count(redis * row.instances),
      ];
    }),
    notes: [
      `SSM columns simulated: the client's real \`Reloader\` (TTL drift check with its random phase, \`requestWithin\` after a reset, retries) and real \`readSecureValues\` jitter per instance, the local pipeline's real \`ReconcileTimer\` with the reconciler's real \`readPrefixParameters\` once per environment, all on a simulated clock, loading through the real \`loadParameters\` from an in-process SSM stand-in that records each call's time. ${result.parameters} parameters (${result.pagesPerLoad} pages a load, one a SecureString). Peak = the most calls in any sliding second; ✗ = over ${SSM_QUOTA_PER_SECOND}/s, SSM's default for the whole account and region.`,
      `Designs. today: every instance reloads every 5 min, reloads at once after a reset, reads a SecureString change at once, no reconciler. new, defaults: reconciler every 5 min, reloads hourly (spread over the hour), a reset's reload at a random point of 30 s, a SecureString read after up to 1 s. new, fleet: { instances }: the client's fleet option, which scales the reset window and the read jitter to the fleet so that a fleet-wide event averages ${SPREAD_BUDGET_PER_SECOND} calls/s (instances × ${result.pagesPerLoad} ÷ ${SPREAD_BUDGET_PER_SECOND} s, instances ÷ ${SPREAD_BUDGET_PER_SECOND} s).`,
      "Scenarios (each on top of the steady background): steady = 10 min of a running fleet; deploy = 10 % of the fleet starting within one second (a start is one full load, not spread: the instance must load before it serves); failover = every instance noticing a reset within one second (its connection dropped), the whole reload period watched; SecureString change = every instance reading the stream entry at the same moment.",
      ...result.simulated
        .filter((row) => row.design.key === "scaled")
        .map((row) => {
          const { failover, secure } = row.figures;
          const { resetReloadWindowMs, secureReadJitterMs } = row.design.client;
          return `${count(row.instances)} instances, fleet: { instances }: reset window ${seconds(resetReloadWindowMs)}, read jitter ${seconds(secureReadJitterMs)}; seconds over ${SSM_QUOTA_PER_SECOND}/s: ${failover.secondsOverQuota} of the failover's ${seconds(failover.spreadMs)}, ${secure.secondsOverQuota} of the SecureString change's ${seconds(secure.spreadMs)}.`;
        }),
      "Idle Redis: measured per instance on the real ConfigClients below (INFO commandstats deltas, today's cadence vs the client's defaults) × instances.",
      ...refusals.map(
        (row) =>
          `† ${count(row.instances)} instances, ${row.design.label}: the client refuses these values today: ${row.refused.join("; ")}. Simulated as if it accepted them.`,
      ),
    ],
  };
}

/** The measured fleet beside the simulation of the same size. */
export function measuredSection(result: FleetResult): BenchSection {
  const simulatedAt = (design: FleetDesign, instances: number): SimulatedRow | undefined =>
    result.simulated.find((row) => row.instances === instances && row.design.key === design.key);
  const rows: string[][] = [];
  for (const m of result.measured) {
    const sim = simulatedAt(m.design, m.instances);
    rows.push([
      `${m.design.label}, measured`,
      count(m.instances),
      rate(m.idle.ssmPerSecond),
      `${count(m.deploy.peakPerSecond)} (${count(m.deploy.instances)} starts)`,
      `${count(m.failover.peakPerSecond)} (${count(m.failover.reloads)} reloads)`,
      seconds(m.failover.spreadMs),
      count(m.secure.peakPerSecond),
      seconds(m.secure.spreadMs),
      m.idle.redisPerInstancePerMinute.toFixed(1),
    ]);
    if (sim) {
      const { steady, deploy, failover, secure } = sim.figures;
      rows.push([
        `${m.design.label}, simulated`,
        count(m.instances),
        rate(steady.meanPerSecond),
        count(deploy.peakPerSecond),
        count(failover.peakPerSecond),
        seconds(failover.spreadMs),
        count(secure.peakPerSecond),
        seconds(secure.spreadMs),
        "–",
      ]);
    }
  }
  const first = result.measured[0];
  return {
    title: "Fleet cost measured: real ConfigClients in worker processes against the HTTP SSM stand-in",
    headers: [
      "design",
      "instances",
      "idle SSM calls/s",
      "deploy: peak/s",
      "empty restart: peak/s",
      "reloads spread over",
      "SecureString change: peak/s",
      "reads spread over",
      "idle Redis cmds per instance per min",
    ],
    rows,
    notes: [
      first
        ? `${count(first.instances)} ConfigClients in ${first.workers} worker processes (${count(first.rssMiB)} MiB RSS together once started, ${ms(first.startMs / 1000)} s to start), acks off, against \`bench/scale/ssmStandIn.ts\` (HTTP, every call's arrival recorded) and the bench's own redis-server. Idle window ${ms(first.idle.windowMs / 1000)} s: SSM calls and Redis commands (\`INFO commandstats\` deltas, the bench's own INFO left out). Deploy: 10 % more clients started at once (as fast as this machine starts them, not within one second). SecureString change: published by the function's own \`StreamPublisher\`, every client applied it. Empty restart: the redis-server restarted without its data (as a failover to an empty replica), until every client finished its reset reload.`
        : "No fleet was measured.",
      ...(result.measuredNote ? [result.measuredNote] : []),
      ...result.measured.map(
        (m) =>
          `${m.design.label}: idle Redis commands ${Object.entries(m.idle.redisCommands)
            .map(([name, n]) => `${name} ${count(n)}`)
            .join(", ")}.`,
      ),
    ],
  };
}

/** XADD → the last blocked reader woken, at the largest reader count this machine's redis-server takes. */
export function wakeupSection(result: FleetResult): BenchSection {
  return {
    title: "Redis side of one change: XADD → the last of N blocked readers woken",
    headers: ["readers", "samples", "XADD → last reader p50", "XADD → median reader p50", "readers missed"],
    rows: result.wakeups.map((w) => [
      count(w.readers),
      String(w.samples),
      `${ms(w.lastMs)} ms`,
      `${ms(w.medianReaderMs)} ms`,
      String(w.missed),
    ]),
    notes: [
      `Bare ioredis connections blocked in \`XREAD BLOCK 0\` on one stream, spread over the worker processes (one event loop is not the bottleneck), one XADD from the bench process; times on the machine-wide monotonic clock. Bounded by \`ulimit -n\` = ${count(result.wakeupLimits.openFiles)} and the bench's redis-server \`--maxclients ${result.wakeupLimits.maxClients}\`. The readers and Redis share this machine's 2 cores.`,
    ],
  };
}
