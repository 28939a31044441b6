/**
 * Child process of the read-path benchmark (run with `--expose-gc`): boots one ConfigClient on the
 * bench's path, then times `client.get(key)` against the same lookups done by hand, and measures
 * what each allocates. Sends one `ReadPathFigures` message to the parent and exits.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createConfigClient } from "../../runtime/client";
import { emulatorClientConfig } from "../../runtime/local/servers";

/** What the child measured for one way of reading a value. */
export interface ReadFigures {
  /** ns per call, one figure per run. */
  nsPerCall: number[];
  /** Heap growth per call over one run without GC in between, bytes. */
  bytesPerCall: number;
  /** Garbage collections during the timed runs. */
  gcs: number;
}

/** The message the child sends. */
export interface ReadPathFigures {
  keys: number;
  callsPerRun: number;
  figures: Record<string, ReadFigures>;
}

const [endpoint, redisUrl, parameterPath, streamKey, runsText, callsText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const RUNS = Number(runsText);
const CALLS = Number(callsText);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
let gcCount = 0;
new PerformanceObserver((list) => (gcCount += list.getEntries().length)).observe({ entryTypes: ["gc"] });

async function main(): Promise<void> {
  const ssm = new SSMClient(emulatorClientConfig(endpoint));
  const client = await createConfigClient({
    parameterPath,
    ssm,
    redis: redisUrl,
    streamKey,
    acks: false,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  try {
    const snapshot = client.snapshot() as Readonly<Record<string, unknown>>;
    const keys = Object.keys(snapshot);
    // 64 lookups cycling over every key, so no lookup is a constant the JIT can fold.
    const cycle = Array.from({ length: 64 }, (_, i) => keys[i % keys.length]!);
    const map = new Map(Object.entries(snapshot));
    const plain: Record<string, unknown> = { ...snapshot };
    const readers: Record<string, (key: string) => unknown> = {
      "client.get(key)": (key) => client.get(key),
      "client.snapshot()[key] (a frozen record)": (key) => snapshot[key],
      "plain object[key]": (key) => plain[key],
      "Map.get(key)": (key) => map.get(key),
    };
    const figures: Record<string, ReadFigures> = {};
    for (const [name, read] of Object.entries(readers)) figures[name] = measure(read, cycle);
    // Second pass, the other way round: a figure must not depend on being measured first.
    for (const [name, read] of Object.entries(readers).reverse())
      figures[name]!.nsPerCall.push(...measure(read, cycle).nsPerCall);
    process.send?.({ keys: keys.length, callsPerRun: CALLS, figures } satisfies ReadPathFigures, () => undefined);
  } finally {
    await client.close();
    ssm.destroy();
  }
}

function measure(read: (key: string) => unknown, cycle: readonly string[]): ReadFigures {
  let sink = 0;
  const loop = (calls: number): void => {
    for (let i = 0; i < calls; i++) {
      const value = read(cycle[i & 63]!);
      if (typeof value === "string") sink += value.length;
    }
  };
  loop(CALLS); // warm-up: optimized before timing
  gc();
  const gcsBefore = gcCount;
  const heapBefore = process.memoryUsage().heapUsed;
  let started = process.hrtime.bigint();
  loop(CALLS);
  const nsPerCall = [Number(process.hrtime.bigint() - started) / CALLS];
  const bytesPerCall = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / CALLS;
  for (let run = 1; run < RUNS; run++) {
    started = process.hrtime.bigint();
    loop(CALLS);
    nsPerCall.push(Number(process.hrtime.bigint() - started) / CALLS);
  }
  if (sink === -1) console.log(sink);
  return { nsPerCall, bytesPerCall, gcs: gcCount - gcsBefore };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
