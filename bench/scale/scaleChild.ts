/**
 * Child process of the scale benchmark (run with `--expose-gc`): measures what one ConfigClient
 * costs to start on a path of N parameters (time, the part of it spent waiting for SSM, RSS and
 * heap growth), the time of one change applied from the stream at that size and of the snapshot
 * copied after it. Sends one `ScaleFigures` message and exits.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { Redis } from "ioredis";
import { createConfigClient } from "../../runtime/client";
import { buildStreamFields } from "../../runtime/protocol";
import { emulatorClientConfig } from "../../runtime/local/servers";
import { CallTimeline } from "../support/callTimeline";
import { monotonicNs, msBetween } from "../support/clock";

/** What the child measured. */
export interface ScaleFigures {
  parameters: number;
  /** Process start → modules loaded (tsx transpiles on first load, then from its cache), ms. */
  importMs: number;
  /** createConfigClient → resolved, ms. */
  startMs: number;
  /** Of which waiting for SSM answers (sum of the GetParametersByPath calls), ms. */
  ssmWaitMs: number;
  ssmCalls: number;
  /** Growth over the start, after GC: RSS and V8 heap, bytes. */
  rssDelta: number;
  heapDelta: number;
  /** RSS after the start, bytes. */
  rss: number;
  /** XADD of one change on the client's stream → applied, ms (one per try). */
  applyMs: number[];
  /** The first `snapshot()` after each change (the frozen copy it makes then), ms. */
  snapshotMs: number[];
  /** Monotonic ns when the client was ready (the parent computes spawn → ready). */
  readyAtNs: string;
}

const [endpoint, redisUrl, parameterPath, streamKey, triesText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function main(): Promise<void> {
  const importMs = performance.now();
  const ssm = new SSMClient({ ...emulatorClientConfig(endpoint), maxAttempts: 1 });
  const timeline = new CallTimeline().attach(ssm);
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  admin.on("error", () => undefined);
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = monotonicNs();
  const client = await createConfigClient({
    parameterPath,
    ssm,
    redis: redisUrl,
    streamKey,
    acks: false,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const ready = monotonicNs();
  try {
    const calls = timeline.take();
    gc();
    const memory = process.memoryUsage();
    const [name] = Object.keys(client.snapshot());
    const fullName = parameterPath + (name ?? "");
    let version = 2;
    const change = async (): Promise<number> => {
      const applied = new Promise<bigint>((resolve) => {
        const stop = client.onEvent((event) => {
          if (event.type !== "applied") return;
          stop();
          resolve(monotonicNs());
        });
      });
      const now = Date.now();
      const sent = monotonicNs();
      await admin.xadd(
        streamKey,
        "*",
        ...buildStreamFields({
          name: fullName,
          operation: "Update",
          version,
          type: "String",
          value: `changed-${version}`,
          modifiedAt: now + version,
          changedAt: now,
          publishedAt: now,
        }),
      );
      version++;
      return msBetween(sent, await applied);
    };
    const applyMs: number[] = [];
    for (let i = 0; i < Number(triesText); i++) applyMs.push(await change());
    // Apart from the applies timed above: a copy of 10,000 values between them would time the GC it causes.
    const snapshotMs: number[] = [];
    for (let i = 0; i < Number(triesText); i++) {
      await change();
      const copying = monotonicNs();
      client.snapshot();
      snapshotMs.push(msBetween(copying, monotonicNs()));
    }
    const figures: ScaleFigures = {
      parameters: Object.keys(client.snapshot()).length,
      importMs,
      startMs: msBetween(started, ready),
      ssmWaitMs: calls.reduce((sum, call) => sum + msBetween(call.startNs, call.endNs), 0),
      ssmCalls: calls.length,
      rssDelta: memory.rss - rssBefore,
      heapDelta: memory.heapUsed - heapBefore,
      rss: memory.rss,
      applyMs,
      snapshotMs,
      readyAtNs: String(ready),
    };
    process.send?.(figures, () => undefined);
  } finally {
    await client.close();
    admin.disconnect();
    ssm.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
