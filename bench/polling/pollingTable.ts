import { ms, summarize, type BenchSection } from "../stats";
import type { PollingOptions, PollingResult } from "./benchPolling";

/** Facts of ours the polling table sets beside the pollers' figures. */
export interface OursForPolling {
  /** Stream path, last instance of the largest fleet: p50 and p99, ms. */
  streamP50: number;
  streamP99: number;
  fleet: number;
  /** Parameters each instance holds. */
  parameters: number;
  /** The client's safety-net reload interval, ms. */
  reloadIntervalMs: number;
  /** Idle blocks per position check (the client's default). */
  positionCheckEvery: number;
  /** A fresh process started and loaded the path (restart baseline): p50, ms. */
  restartMs: number;
  /** Idle Redis commands per instance per minute with the defaults (`benchIdleRedis`, same run). */
  idleRedisPerMinute: number;
}

/** Polling against ours, side by side. */
export function pollingSection(result: PollingResult, options: PollingOptions, ours: OursForPolling): BenchSection {
  const staleness = summarize(result.stalenessMs);
  const fetch = summarize(result.fetchMs);
  const minutes = result.idle.windowMs / 60_000;
  const perInstance = (counts: Record<string, number>): string =>
    (Object.values(counts).reduce((a, b) => a + b, 0) / result.idle.instances / minutes).toFixed(2);
  const pages = Math.ceil(ours.parameters / 10);
  const safetyNet = (pages / (ours.reloadIntervalMs / 60_000)).toFixed(2);
  const ssmCalls = Object.values(result.idle.ssmCalls).reduce((a, b) => a + b, 0);
  return {
    title: `Polling side by side: Powertools SSMProvider (maxAge ${options.maxAgeSeconds} s) against ours, same moto`,
    headers: [
      "",
      "staleness a change sees p50",
      "p99",
      "max",
      "SSM calls / min / instance, nothing changing",
      "other calls / min / instance, nothing changing",
    ],
    rows: [
      [
        `Powertools \`getMultiple(path, { maxAge: ${options.maxAgeSeconds} })\`, ${options.pollers} instances reading every ${options.readEveryMs} ms`,
        `${(staleness.p50 / 1000).toFixed(2)} s`,
        `${(staleness.p99 / 1000).toFixed(2)} s`,
        `${(staleness.max / 1000).toFixed(2)} s`,
        result.pollingCallsPerMinute.toFixed(1),
        "–",
      ],
      [
        `ours, stream path (last of ${ours.fleet} instances)`,
        `${ms(ours.streamP50)} ms`,
        `${ms(ours.streamP99)} ms`,
        "–",
        `${perInstance(result.idle.ssmCalls)} measured; ${safetyNet} with the ${ours.reloadIntervalMs / 60_000}-minute safety-net reload`,
        `Redis ${ours.idleRedisPerMinute.toFixed(2)} (idle table below), Cloud Map ${perInstance(result.idle.cloudMapCalls)}`,
      ],
      [
        "restart to reload (a fresh process loads the path)",
        `time until someone restarts + ${ms(ours.restartMs)} ms`,
        "–",
        "–",
        "0",
        "–",
      ],
    ],
    notes: [
      `Powertools staleness is measured, not derived: ${result.changes} changes at random times (gaps uniform ${options.changeGapMs[0] / 1000}–${options.changeGapMs[1] / 1000} s), ${result.stalenessMs.length} (change, instance) pairs; each instance started at a random phase of its cache window. Expected analytically: uniform over the ${options.maxAgeSeconds} s window plus one fetch (here ${ms(fetch.p50)} ms p50 for the ${Math.ceil(options.parameters / 10)} pages of ${options.parameters} parameters), so p50 ≈ ${(options.maxAgeSeconds / 2).toFixed(1)} s and p99 ≈ ${(options.maxAgeSeconds * 0.99).toFixed(1)} s.`,
      `Pollers' SSM calls by operation over ${(result.idle.windowMs / 1000).toFixed(0)} s: ${Object.entries(
        result.pollingCalls,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ", ",
        )}. Expected: ${Math.ceil(options.parameters / 10)} pages every ${options.maxAgeSeconds} s = ${((Math.ceil(options.parameters / 10) * 60) / options.maxAgeSeconds).toFixed(0)} per minute and instance, whatever changes.`,
      `Ours over the same ${(result.idle.windowMs / 1000).toFixed(0)} s, ${result.idle.instances} idle instances: SSM ${JSON.stringify(result.idle.ssmCalls)}, Cloud Map ${JSON.stringify(result.idle.cloudMapCalls)}. The safety-net reload runs every ${ours.reloadIntervalMs / 60_000} min (each instance's first at a random point of the interval, so a fleet spreads over it; ${pages} GetParametersByPath pages for ${ours.parameters} parameters): ${ssmCalls === 0 ? "none fell in the window; its rate is given beside the measured 0" : `${ssmCalls} of its calls fell in the window`}. Redis: with the defaults an idle instance sends one XREAD a minute and a position check every ${ours.positionCheckEvery} idle blocks, a rate that needs whole blocks to measure: measured in the idle table below (same run), not over this window.`,
    ],
  };
}
