import { execFileSync } from "node:child_process";
import type { Redis } from "ioredis";
import { monotonicNs, msBetween, sleep } from "../support/clock";
import { blockedClients } from "../support/redisCommandStats";
import { median } from "../stats";
import type { Arrival } from "../workers/fleetProtocol";
import type { WorkerFleet } from "../workers/workerFleet";

const STREAM_KEY = "bench:fleet:{wakeups}";
/** How long every reader may take to block again, or to be woken, ms. */
const WAIT_MS = 30_000;

/** One change's XADD → its readers woken, at one reader count. */
export interface WakeupFigures {
  readers: number;
  samples: number;
  /** Median over the samples of XADD → the last reader woken, ms. */
  lastMs: number;
  /** Median over the samples of XADD → the median reader woken, ms. */
  medianReaderMs: number;
  /** Readers that missed an entry, over every sample. */
  missed: number;
}

/** The file descriptors a process of this shell may open (`ulimit -n`): what bounds the readers a redis-server serves. */
export function openFileLimit(): number {
  return Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim());
}

/**
 * The Redis side of one change for a large fleet: `readers` bare ioredis connections spread over
 * the worker processes, each blocked in `XREAD BLOCK 0` on one stream, and one `XADD`; the time
 * from the XADD to the last reader woken (monotonic clock, comparable across processes), median
 * over `samples` after `warmup` rounds. Grows the readers to each size of `sizes` in turn.
 */
export async function measureWakeups(
  fleet: WorkerFleet,
  redisUrl: string,
  admin: Redis,
  sizes: readonly number[],
  rounds: { samples: number; warmup: number },
  log: (line: string) => void,
): Promise<WakeupFigures[]> {
  const figures: WakeupFigures[] = [];
  for (const readers of sizes) {
    await fleet.growReaders(readers, redisUrl, STREAM_KEY);
    log(`${readers} readers blocked in XREAD`);
    const last: number[] = [];
    const middle: number[] = [];
    let missed = 0;
    for (let round = 0; round < rounds.warmup + rounds.samples; round++) {
      await untilBlocked(admin, readers);
      const t0 = monotonicNs();
      const id = (await admin.xadd(STREAM_KEY, "MAXLEN", "~", 100, "*", "round", String(round))) as string;
      const wakes = (
        await fleet.ask<Arrival[]>({ op: "collectWakes", entryId: id, timeoutMs: WAIT_MS }, (w) => w.readers)
      ).flat();
      if (round < rounds.warmup) continue;
      const times = wakes.map((wake) => msBetween(t0, BigInt(wake.atNs))).sort((a, b) => a - b);
      missed += readers - times.length;
      if (times.length === 0) continue;
      last.push(times[times.length - 1]!);
      middle.push(times[Math.floor((times.length - 1) / 2)]!);
    }
    figures.push({ readers, samples: last.length, lastMs: median(last), medianReaderMs: median(middle), missed });
  }
  return figures;
}

/** Waits (bounded) until `count` clients are blocked in XREAD again. */
async function untilBlocked(admin: Redis, count: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if ((await blockedClients(admin)) >= count) return;
    await sleep(5);
  }
  throw new Error(`fewer than ${count} readers blocked in XREAD after ${WAIT_MS} ms`);
}
