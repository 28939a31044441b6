import { Redis } from "ioredis";
import type { ReloadReason } from "../../runtime/client/types";
import { StreamPublisher } from "../../runtime/lambda/stream";
import { defaultStreamKey } from "../../runtime/protocol";
import type { LocalRedisServer } from "../../runtime/local/servers";
import type { SsmStandIn, StoredParameter } from "../scale/ssmStandIn";
import { monotonicNs, msBetween, sleep } from "../support/clock";
import { redisCommandCounts } from "../support/redisCommandStats";
import type { Arrival, FleetClientSettings, WorkerCounters } from "../workers/fleetProtocol";
import { WorkerFleet } from "../workers/workerFleet";
import { peakPerSecond } from "./callRates";
import { DEPLOY_SHARE } from "./simulatedFleet";
import type { FleetDesign } from "./designs";

/** What one design's measured fleet did, on this machine's real clients. */
export interface MeasuredDesign {
  design: FleetDesign;
  /** ConfigClients running (before the deploy's). */
  instances: number;
  workers: number;
  /** Wall time to start them (`WorkerFleet.growClients`), ms. */
  startMs: number;
  /** RSS of the worker processes once started, MiB (summed). */
  rssMiB: number;
  /** The idle window: nothing changes. */
  idle: {
    windowMs: number;
    ssmCalls: number;
    ssmPerSecond: number;
    redisCommands: Record<string, number>;
    /** Redis commands per instance per minute. */
    redisPerInstancePerMinute: number;
  };
  /** 10 % more instances started at once. */
  deploy: { instances: number; calls: number; peakPerSecond: number; tookMs: number };
  /** One SecureString change on the stream. */
  secure: { reads: number; peakPerSecond: number; spreadMs: number };
  /** Redis restarted empty (as a failover to an empty replica). */
  failover: { reloads: number; calls: number; peakPerSecond: number; spreadMs: number };
}

/** How the measured fleet runs. */
export interface MeasuredOptions {
  instances: number;
  workers: number;
  idleWindowMs: number;
  log(line: string): void;
}

/** Clients a worker starts at once while the fleet is built (the deploy starts its share all at once). */
const GROW_CONCURRENCY = 10;
/** How long the fleet may take to notice and finish a scenario beyond its window, ms. */
const SCENARIO_GRACE_MS = 30_000;

/**
 * Runs `design` on `options.instances` real ConfigClients in worker processes against the HTTP SSM
 * stand-in and the bench's own Redis, and counts what SSM and Redis receive: idle (SSM calls and
 * Redis commands from `INFO commandstats` deltas), a deploy of 10 % more at once, one SecureString
 * change published by the function's own `StreamPublisher`, and Redis restarted empty.
 */
export async function measureDesign(
  design: FleetDesign,
  redis: LocalRedisServer,
  standIn: SsmStandIn,
  options: MeasuredOptions,
): Promise<MeasuredDesign> {
  const path = standIn.content.path;
  const streamKey = `${defaultStreamKey(path)}:${design.key}`;
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 3, retryStrategy: () => 100 });
  admin.on("error", () => undefined);
  const publisher = new StreamPublisher(admin, { streamKey, maxLength: 10_000 });
  const fleet = WorkerFleet.start(options.workers);
  try {
    // The stream exists before the fleet starts, as in a running environment.
    await publishChange(publisher, standIn.content.bump(standIn.content.parameters[0]!.Name));
    const settings: FleetClientSettings = {
      parameterPath: path,
      streamKey,
      redisUrl: redis.url,
      awsEndpoint: standIn.endpoint,
      idPrefix: `fleet-${design.key}`,
      quiet: true,
      options: { ...design.client, acks: false },
    };
    const startedAt = monotonicNs();
    await fleet.growClients(options.instances, settings, GROW_CONCURRENCY);
    const startMs = msBetween(startedAt, monotonicNs());
    const rssMiB = (await fleet.counters()).reduce((sum, w) => sum + w.rssBytes, 0) / 2 ** 20;
    options.log(`${design.label}: ${options.instances} clients started in ${(startMs / 1000).toFixed(1)} s`);
    await sleep(2_000); // every reader in its first blocked XREAD

    const idle = await idleWindow(admin, standIn, options);
    options.log(`${design.label}: idle window done`);
    const deploy = await deployTenPercent(fleet, standIn, settings, options.instances);
    const secure = await secureChange(fleet, publisher, standIn, design, options.instances + deploy.instances);
    options.log(`${design.label}: deploy and SecureString change done`);
    const failover = await emptyRestart(fleet, redis, standIn, design, options.instances + deploy.instances);
    return {
      design,
      instances: options.instances,
      workers: options.workers,
      startMs,
      rssMiB,
      idle,
      deploy,
      secure,
      failover,
    };
  } finally {
    await fleet.stop();
    admin.disconnect();
  }
}

async function idleWindow(
  admin: Redis,
  standIn: SsmStandIn,
  options: MeasuredOptions,
): Promise<MeasuredDesign["idle"]> {
  const ssmBefore = standIn.calls;
  const redisBefore = await redisCommandCounts(admin);
  const started = monotonicNs();
  await sleep(options.idleWindowMs);
  const redisAfter = await redisCommandCounts(admin);
  const windowMs = msBetween(started, monotonicNs());
  const redisCommands: Record<string, number> = {};
  for (const [name, count] of Object.entries(redisAfter)) {
    const delta = count - (redisBefore[name] ?? 0) - (name === "info" ? 1 : 0); // the bench's own INFO
    if (delta > 0) redisCommands[name] = delta;
  }
  const total = Object.values(redisCommands).reduce((a, b) => a + b, 0);
  const ssmCalls = standIn.calls - ssmBefore;
  return {
    windowMs,
    ssmCalls,
    ssmPerSecond: ssmCalls / (windowMs / 1000),
    redisCommands,
    redisPerInstancePerMinute: total / options.instances / (windowMs / 60_000),
  };
}

async function deployTenPercent(
  fleet: WorkerFleet,
  standIn: SsmStandIn,
  settings: FleetClientSettings,
  running: number,
): Promise<MeasuredDesign["deploy"]> {
  const instances = Math.round(running * DEPLOY_SHARE);
  const from = standIn.log.length;
  const started = monotonicNs();
  await fleet.growClients(running + instances, settings, Math.ceil(instances / fleet.processes));
  const tookMs = msBetween(started, monotonicNs());
  await sleep(1_000);
  const times = standIn.log.slice(from).map((call) => call.atMs);
  return { instances, calls: times.length, peakPerSecond: peakPerSecond(times), tookMs };
}

async function secureChange(
  fleet: WorkerFleet,
  publisher: StreamPublisher,
  standIn: SsmStandIn,
  design: FleetDesign,
  instances: number,
): Promise<MeasuredDesign["secure"]> {
  const [name] = standIn.content.secureNames;
  if (name === undefined) throw new Error("the stand-in serves no SecureString");
  const from = standIn.log.length;
  const changed = standIn.content.bump(name);
  const t0 = Number(monotonicNs()) / 1e6;
  await publishChange(publisher, changed);
  const arrivals = (
    await fleet.ask<Arrival[]>(
      {
        op: "collectApplied",
        name,
        version: changed.Version,
        timeoutMs: design.client.secureReadJitterMs + SCENARIO_GRACE_MS,
      },
      (w) => w.clients,
    )
  ).flat();
  const reads = standIn.log
    .slice(from)
    .filter((call) => call.operation === "GetParameter")
    .map((call) => call.atMs);
  if (arrivals.length !== instances) throw new Error(`${arrivals.length}/${instances} instances applied ${name}`);
  return { reads: reads.length, peakPerSecond: peakPerSecond(reads), spreadMs: Math.max(...reads) - t0 };
}

async function emptyRestart(
  fleet: WorkerFleet,
  redis: LocalRedisServer,
  standIn: SsmStandIn,
  design: FleetDesign,
  instances: number,
): Promise<MeasuredDesign["failover"]> {
  const before = sumMetrics(await fleet.counters());
  const from = standIn.log.length;
  const t0 = monotonicNs();
  await redis.restart({ keepData: false });
  const reason: ReloadReason = "recreated";
  const done = (
    await fleet.ask<Arrival[]>(
      { op: "collectReloads", reason, timeoutMs: design.client.resetReloadWindowMs + SCENARIO_GRACE_MS },
      (w) => w.clients,
    )
  ).flat();
  const after = sumMetrics(await fleet.counters());
  const reloads = resetReloads(after) - resetReloads(before);
  if (done.length !== instances) throw new Error(`${done.length}/${instances} instances reloaded after the restart`);
  const times = standIn.log.slice(from).map((call) => call.atMs);
  const lastNs = done.reduce((last, arrival) => (BigInt(arrival.atNs) > last ? BigInt(arrival.atNs) : last), t0);
  return { reloads, calls: times.length, peakPerSecond: peakPerSecond(times), spreadMs: msBetween(t0, lastNs) };
}

/** Publishes the change of `stored` as the refresh function does (its idempotent script, one synthetic event). */
async function publishChange(publisher: StreamPublisher, stored: StoredParameter): Promise<void> {
  const modifiedAt = Math.round(stored.LastModifiedDate * 1000);
  const outcome = await publisher.publish([
    {
      name: stored.Name,
      events: [
        {
          eventId: `fleet-${stored.Version}`,
          name: stored.Name,
          operation: "Update",
          time: modifiedAt,
          source: "bench",
        },
      ],
      current: {
        name: stored.Name,
        type: stored.Type,
        version: stored.Version,
        modifiedAt,
        ...(stored.Type === "SecureString" ? {} : { value: stored.Value }),
      },
    },
  ]);
  if (outcome.published.length !== 1) throw new Error(`${stored.Name} v${stored.Version} was not published`);
}

function sumMetrics(workers: readonly WorkerCounters[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const worker of workers)
    for (const [name, value] of Object.entries(worker.clientMetrics)) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

function resetReloads(metrics: Record<string, number>): number {
  return (metrics.trimmedReloads ?? 0) + (metrics.recreatedReloads ?? 0) + (metrics.failoverReloads ?? 0);
}
