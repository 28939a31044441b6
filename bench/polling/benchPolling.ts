import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import { emulatorClientConfig } from "../../runtime/local";
import { CallCounter, countDelta, sumCounts } from "../support/callCounter";
import { monotonicNs, msBetween, sleep } from "../support/clock";
import type { BenchPipeline } from "../support/benchPipeline";
import type { WorkerFleet } from "../workers/workerFleet";

/** Options of {@link benchPolling}. */
export interface PollingOptions {
  /** Polling instances (each an SSMProvider with its own SSMClient). */
  pollers: number;
  /** Powertools cache max age, seconds. */
  maxAgeSeconds: number;
  /** How often each poller reads its configuration (the service's request rate), ms. */
  readEveryMs: number;
  /** How long changes are written, ms; then the window waits for every poller to see the last one. */
  changeWindowMs: number;
  /** Gap between two changes: uniform between these, ms. */
  changeGapMs: readonly [number, number];
  /** Parameters under the polled path (the same count the fleet holds). */
  parameters: number;
}

/** What {@link benchPolling} measured. */
export interface PollingResult {
  /** Change written (PutParameter returned) → a poller's read returned the new value, ms; one per change and poller. */
  stalenessMs: number[];
  changes: number;
  /** One fetch of the whole path (every page), ms, as the pollers did it. */
  fetchMs: number[];
  /** SSM calls per minute per polling instance, over the window. */
  pollingCallsPerMinute: number;
  pollingCalls: Record<string, number>;
  /** Ours over the same window (the fleet idle: nothing written under its path; its Redis side: `benchIdleRedis`). */
  idle: {
    windowMs: number;
    instances: number;
    ssmCalls: Record<string, number>;
    cloudMapCalls: Record<string, number>;
  };
}

/**
 * Polling side by side with ours: `pollers` Powertools `SSMProvider`s (the library Lambda users
 * pick; each given its own SSMClient as `awsSdkV3Client`) read a path of the same size as the
 * fleet's through `getMultiple(path, { maxAge })` every `readEveryMs`, while a writer changes one
 * of its parameters at random times. Staleness is measured per change and poller. In the same
 * window the fleet is idle; its SSM and Cloud Map calls are counted (its Redis commands need whole
 * blocks of a minute: `benchIdleRedis`).
 */
export async function benchPolling(
  env: BenchPipeline,
  fleet: WorkerFleet,
  options: PollingOptions,
): Promise<PollingResult> {
  const path = "/bench/poll/";
  const hot = `${path}hot`;
  const writer = new SSMClient(emulatorClientConfig(env.awsEndpoint));
  const counter = new CallCounter();
  const ssmClients: SSMClient[] = [];
  try {
    for (let i = 0; i < options.pollers; i++) {
      const client = new SSMClient(emulatorClientConfig(env.awsEndpoint));
      counter.attach(client);
      ssmClients.push(client);
    }
    await Promise.all(
      Array.from({ length: options.parameters }, (_, i) =>
        writer.send(
          new PutParameterCommand({
            Name: i === 0 ? hot : `${path}filler/key_${i}`,
            Value: i === 0 ? "0" : `value-${i}`,
            Type: "String",
            Overwrite: true,
          }),
        ),
      ),
    );

    const written: bigint[] = [];
    const stalenessMs: number[] = [];
    const fetchMs: number[] = [];
    let running = true;
    const poll = async (client: SSMClient): Promise<void> => {
      const provider = new SSMProvider({ awsSdkV3Client: client });
      let seen = 0;
      // A random phase: real instances did not start at the same moment.
      await sleep(Math.random() * options.maxAgeSeconds * 1000);
      while (running) {
        const before = counter.total();
        const started = monotonicNs();
        const values = await provider.getMultiple(path, { maxAge: options.maxAgeSeconds, recursive: true });
        const now = monotonicNs();
        if (counter.total() > before) fetchMs.push(msBetween(started, now));
        const version = Number(values?.hot ?? 0);
        for (let change = seen + 1; change <= version; change++) {
          const at = written[change - 1];
          if (at !== undefined) stalenessMs.push(msBetween(at, now));
        }
        seen = Math.max(seen, version);
        await sleep(options.readEveryMs);
      }
    };

    const windowStart = monotonicNs();
    const fleetBefore = await fleet.counters();
    const callsBefore = counter.snapshot();
    const pollers = ssmClients.map((client) => poll(client));
    await sleep(options.maxAgeSeconds * 1000);
    const deadline = Date.now() + options.changeWindowMs;
    while (Date.now() < deadline) {
      await writer.send(
        new PutParameterCommand({ Name: hot, Value: String(written.length + 1), Type: "String", Overwrite: true }),
      );
      written.push(monotonicNs());
      const [low, high] = options.changeGapMs;
      await sleep(low + Math.random() * (high - low));
    }
    // Every poller sees the last change within one max age (plus a fetch).
    await sleep(options.maxAgeSeconds * 1000 + 1000);
    running = false;
    await Promise.all(pollers);
    const windowMs = msBetween(windowStart, monotonicNs());
    const fleetAfter = await fleet.counters();
    const pollingCalls = countDelta(callsBefore, counter.snapshot());
    const totalPolling = Object.values(pollingCalls).reduce((a, b) => a + b, 0);
    return {
      stalenessMs,
      changes: written.length,
      fetchMs,
      pollingCallsPerMinute: totalPolling / options.pollers / (windowMs / 60_000),
      pollingCalls,
      idle: {
        windowMs,
        instances: fleetAfter.reduce((sum, w) => sum + w.clients, 0),
        ssmCalls: countDelta(
          sumCounts(fleetBefore.map((w) => w.ssmCalls)),
          sumCounts(fleetAfter.map((w) => w.ssmCalls)),
        ),
        cloudMapCalls: countDelta(
          sumCounts(fleetBefore.map((w) => w.cloudMapCalls)),
          sumCounts(fleetAfter.map((w) => w.cloudMapCalls)),
        ),
      },
    };
  } finally {
    writer.destroy();
    for (const client of ssmClients) client.destroy();
  }
}
