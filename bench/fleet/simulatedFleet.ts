import { Reloader } from "../../runtime/client/reload/reloader";
import { CLIENT_DEFAULTS } from "../../runtime/client/resolveOptions";
import { loadParameters } from "../../runtime/client/ssm/loadParameters";
import { readSecureValues } from "../../runtime/client/ssm/readSecureValues";
import type { CandidateChange } from "../../runtime/client/state/applyChanges";
import type { ReloadReason } from "../../runtime/client/types";
import type { RefreshHandler } from "../../runtime/lambda/createRefreshHandler";
import { readPrefixParameters } from "../../runtime/lambda/reconcile/readPrefixParameters";
import type { RefreshResult } from "../../runtime/lambda/types";
import { ReconcileTimer } from "../../runtime/local/invoker/ReconcileTimer";
import { peakPerSecond, secondsOver, within } from "./callRates";
import { CountingSsm } from "./countingSsm";
import { SSM_QUOTA_PER_SECOND, type FleetDesign } from "./designs";
import { seededRandom, SimulatedClock } from "./simulatedClock";

/** What happens to the simulated fleet. */
export type FleetScenario = "steady" | "deploy" | "failover" | "secure";

/** The parameters each instance holds (the example: 16, 2 pages), one of them a SecureString. */
export interface SimulationOptions {
  parameters: number;
  seed: number;
}

/** SSM calls a scenario made, as SSM would have received them. */
export interface ScenarioFigures {
  /** Calls in the measured span. */
  calls: number;
  /** Mean calls a second over the span. */
  meanPerSecond: number;
  /** The most calls in any one second of the span. */
  peakPerSecond: number;
  /** Whole seconds of the span above SSM's quota. */
  secondsOverQuota: number;
  /** Failover and SecureString change: ms from the event to the last instance's read of it. */
  spreadMs?: number;
}

const PATH = "/sim/fleet/";
/** The steady state is watched this long (two of today's reload intervals; any hour looks the same). */
const STEADY_MS = 10 * 60_000;
/** The minute a deploy or a failover is watched. */
const MINUTE_MS = 60_000;
/** Instances notice a Redis failover within this of each other (their connections drop; they reconnect). */
const NOTICE_MS = 1_000;
/** A deploy's new instances start within this of each other ("at once"). */
const BOOT_SPREAD_MS = 1_000;
/** The share of the fleet a deploy boots at once. */
export const DEPLOY_SHARE = 0.1;

/**
 * One simulated instance: the client's real reloader (TTL drift check, spread reloads after a
 * reset, retries) and real SecureString read jitter, on the simulated clock, loading through the
 * real `loadParameters`, wired as `ConfigClient` wires them (boot = one load, then the TTL timer;
 * a reset = `requestWithin(reason, resetReloadWindowMs)`).
 */
class SimulatedInstance {
  /** Simulated ms at which each reload of a reset finished. */
  public resetReloadsDoneAt: number[] = [];
  private readonly reloader: Reloader;

  public constructor(
    private readonly ssm: CountingSsm,
    private readonly design: FleetDesign,
    private readonly clock: SimulatedClock,
    private readonly random: () => number,
  ) {
    this.reloader = new Reloader(
      { intervalMs: design.client.reloadIntervalMs, retry: CLIENT_DEFAULTS.reloadRetry, random, timers: clock },
      (reason) => this.load(reason),
      () => undefined,
    );
  }

  /** A fleet already running: the TTL timer armed (its phase drawn as at a start). */
  public running(): void {
    this.reloader.start();
  }

  /** A start: one full load, then the TTL timer. */
  public async boot(): Promise<void> {
    await loadParameters(this.ssm.client, PATH);
    this.reloader.start();
  }

  /** The stream reader noticed a reset (a failover's new primary, empty). */
  public reset(): void {
    void this.reloader.requestWithin("failover", this.design.client.resetReloadWindowMs);
  }

  /** Reads a SecureString change from the stream as the applier does; resolves with when it was read. */
  public async secureChange(candidate: CandidateChange): Promise<number> {
    const [read] = await readSecureValues(
      this.ssm.client,
      [candidate],
      () => true,
      this.design.client.secureReadJitterMs,
      { timers: this.clock, random: this.random },
    );
    if (read?.fetchError !== undefined) throw new Error(`simulated read failed: ${read.fetchError}`);
    return this.clock.now();
  }

  public stop(): Promise<void> {
    return this.reloader.stop();
  }

  private async load(reason: ReloadReason): Promise<{ applied: number; rejected: number }> {
    await loadParameters(this.ssm.client, PATH);
    if (reason === "failover") this.resetReloadsDoneAt.push(this.clock.now());
    return { applied: 0, rejected: 0 };
  }
}

/**
 * Runs `scenario` for a fleet of `instances` on `design` under a simulated clock and counts the
 * SSM calls the real scheduling code makes: the instances' reloads and reads, and the
 * environment's reconciler (the real `ReconcileTimer` schedule, each sweep the real
 * `readPrefixParameters`). The fleet has been running for a while: every scenario includes the
 * steady background.
 */
export async function simulateScenario(
  design: FleetDesign,
  instances: number,
  scenario: FleetScenario,
  options: SimulationOptions,
): Promise<ScenarioFigures> {
  const clock = new SimulatedClock();
  const random = seededRandom(options.seed);
  const ssm = new CountingSsm({ path: PATH, count: options.parameters, secure: 1 }, () => clock.now());
  const make = (): SimulatedInstance => new SimulatedInstance(ssm, design, clock, random);
  const runningCount = scenario === "deploy" ? Math.round(instances * (1 - DEPLOY_SHARE)) : instances;
  const fleet = Array.from({ length: runningCount }, make);
  for (const instance of fleet) instance.running();
  const reconciler =
    design.reconcileIntervalMs === undefined
      ? undefined
      : new ReconcileTimer({ handler: sweepHandler(ssm), intervalMs: design.reconcileIntervalMs, timers: clock });
  reconciler?.start();
  try {
    let spanMs: number;
    let spreadMs: number | undefined;
    if (scenario === "steady") {
      spanMs = STEADY_MS;
      await clock.run(spanMs);
    } else if (scenario === "deploy") {
      const booting = Array.from({ length: instances - runningCount }, make);
      const booted: Promise<void>[] = [];
      for (const instance of booting) {
        clock.setTimeout(() => booted.push(instance.boot()), Math.floor(random() * BOOT_SPREAD_MS));
        fleet.push(instance);
      }
      spanMs = MINUTE_MS;
      await clock.run(spanMs);
      await settled(booted, booting.length, "boots");
    } else if (scenario === "failover") {
      for (const instance of fleet) clock.setTimeout(() => instance.reset(), Math.floor(random() * NOTICE_MS));
      spanMs = Math.max(MINUTE_MS, NOTICE_MS + design.client.resetReloadWindowMs + 1_000);
      await clock.run(spanMs);
      const done = fleet.map((instance) => instance.resetReloadsDoneAt);
      if (done.some((times) => times.length !== 1)) throw new Error("an instance did not reload once for the reset");
      spreadMs = Math.max(...done.map((times) => times[0]!));
    } else {
      const [name] = ssm.content.secureNames;
      if (name === undefined) throw new Error("the simulated path has no SecureString");
      const stored = ssm.content.bump(name);
      const candidate: CandidateChange = {
        change: {
          name,
          operation: "Update",
          version: stored.Version,
          type: "SecureString",
          modifiedAt: stored.LastModifiedDate * 1000,
          changedAt: stored.LastModifiedDate * 1000,
        },
        via: "stream",
      };
      const reads = fleet.map((instance) => instance.secureChange(candidate));
      spanMs = Math.max(MINUTE_MS, design.client.secureReadJitterMs + 1_000);
      await clock.run(spanMs);
      spreadMs = Math.max(...(await settled(reads, fleet.length, "SecureString reads")));
    }
    const times = within(ssm.times(), 0, spanMs);
    return {
      calls: times.length,
      meanPerSecond: times.length / (spanMs / 1000),
      peakPerSecond: peakPerSecond(times),
      secondsOverQuota: secondsOver(times, SSM_QUOTA_PER_SECOND),
      ...(spreadMs !== undefined ? { spreadMs } : {}),
    };
  } finally {
    await reconciler?.stop();
    await Promise.all(fleet.map((instance) => instance.stop()));
    ssm.destroy();
  }
}

/** The reconcile invocation's SSM part, as the function runs it: one sweep of the prefix (nothing healed). */
function sweepHandler(ssm: CountingSsm): RefreshHandler {
  const handler = async (): Promise<RefreshResult> => {
    const sweep = await readPrefixParameters(ssm.client, PATH);
    return {
      published: [],
      skipped: [],
      rejected: [],
      instances: [],
      fanOutErrors: [],
      cappedDiscoveries: [],
      deregistered: [],
      reconciled: { parameters: sweep.parameters.size, pages: sweep.pages, healed: 0 },
    };
  };
  return Object.assign(handler, { close: async () => undefined });
}

/** The values of `expected` promises that must all have resolved by the end of the simulated span. */
async function settled<T>(promises: readonly Promise<T>[], expected: number, what: string): Promise<T[]> {
  const values: T[] = [];
  const errors: unknown[] = [];
  for (const promise of promises)
    promise.then(
      (value) => values.push(value),
      (error) => errors.push(error),
    );
  await new Promise((resolve) => setImmediate(resolve));
  if (errors.length > 0) throw new Error(`${errors.length} simulated ${what} failed: ${String(errors[0])}`);
  if (values.length !== expected) throw new Error(`${expected - values.length} simulated ${what} did not finish`);
  return values;
}
