/**
 * One service instance of the reliability suite, as its own process: embeds the client library
 * exactly as a service does (`createConfigClient`: SSM load, stream, optional refresh server and
 * Cloud Map registration), plus what the suite observes from the inside:
 *
 * - a reader that, on every turn of the event loop, reads every group of keys through `get()` and
 *   counts mixed generations (a half-applied change set) and regressions, and the longest gap
 *   between two turns (a blocked event loop);
 * - the SSM calls of its client, counted by SDK middleware;
 * - every log line of the client, as JSON on stderr (the suite captures them all).
 *
 * Started by `WorkerFleet` with `child_process.fork` (IPC channel); settings in the environment.
 * SIGTERM or a `close` request: closes the client gracefully and exits 0.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { z } from "zod";
import {
  closeOnSignals,
  createConfigClient,
  ssmInteger,
  type ClientLogger,
  type ConfigClient,
  type ConfigSchema,
} from "../../../runtime/client";
import { emulatorClientConfig } from "../../../runtime/operator/aws/emulatorDefaults";
import {
  WORKER_SETTINGS_VARIABLE,
  type ReaderStats,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSchemaName,
  type WorkerSettings,
  type WorkerStats,
} from "./workerProtocol";

const SCHEMAS: Record<WorkerSchemaName, ConfigSchema | undefined> = {
  raw: undefined,
  guarded: {
    "guarded/level": z.enum(["debug", "info", "warn", "error"]),
    "guarded/limit": ssmInteger({ min: 1, max: 100 }),
  },
  currency: { "checkout/currency": z.enum(["EUR", "USD"], "must be EUR or USD (this instance's payment provider)") },
};

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Every line of the client's logger, every level, as JSON on stderr. */
const logger: ClientLogger = Object.fromEntries(
  (["debug", "info", "warn", "error"] as const).map((level) => [
    level,
    (message: string, ...attributes: Record<string, unknown>[]) =>
      void process.stderr.write(`${JSON.stringify({ level, message, ...Object.assign({}, ...attributes) })}\n`),
  ]),
) as unknown as ClientLogger;

/** The generation of a `g<gen>|...` value; -1 when absent or not of that shape. */
function generationOf(value: unknown): number {
  if (typeof value !== "string" || value[0] !== "g") return -1;
  const end = value.indexOf("|");
  return Number.parseInt(value.slice(1, end < 0 ? undefined : end), 10);
}

/**
 * Checks the groups: after every swap (a change listener, so every snapshot the instance ever
 * exposed is seen) and, on request, in a tight loop of `get()` calls on every turn of the event
 * loop (setImmediate), measuring the longest gap between two turns.
 */
class GroupChecker {
  private readonly stats: ReaderStats = { swapsChecked: 0, mixed: 0, mixedExamples: [], regressions: 0 };
  private readonly highest: number[];
  private loop: { turns: number; maxGapMs: number; startedAt: number; endedAt?: number; running: boolean } | undefined;

  public constructor(
    private readonly client: ConfigClient,
    private readonly groups: string[][],
  ) {
    this.highest = new Array<number>(groups.length).fill(-1);
    client.onChange("*", () => {
      this.stats.swapsChecked++;
      this.check();
    });
  }

  public startLoop(): void {
    if (this.loop?.running) return;
    const loop = { turns: 0, maxGapMs: 0, startedAt: performance.now(), running: true } as NonNullable<
      GroupChecker["loop"]
    >;
    this.loop = loop;
    let last = performance.now();
    const turn = (): void => {
      if (!loop.running) return;
      const now = performance.now();
      loop.maxGapMs = Math.max(loop.maxGapMs, now - last);
      last = now;
      loop.turns++;
      this.check();
      setImmediate(turn);
    };
    setImmediate(turn);
  }

  public stopLoop(): void {
    if (!this.loop?.running) return;
    this.loop.running = false;
    this.loop.endedAt = performance.now();
  }

  public read(): ReaderStats {
    const loop = this.loop;
    return {
      ...this.stats,
      mixedExamples: [...this.stats.mixedExamples],
      ...(loop
        ? {
            loop: {
              turns: loop.turns,
              maxGapMs: Math.round(loop.maxGapMs * 10) / 10,
              turnsPerSecond: Math.round(loop.turns / (((loop.endedAt ?? performance.now()) - loop.startedAt) / 1000)),
              ranMs: Math.round((loop.endedAt ?? performance.now()) - loop.startedAt),
            },
          }
        : {}),
    };
  }

  /** Reads every group through get(): one generation per group, never lower than before. */
  private check(): void {
    const { client, groups, stats, highest } = this;
    for (let g = 0; g < groups.length; g++) {
      const keys = groups[g] as string[];
      const generation = generationOf(client.get(keys[0] as string));
      for (let k = 1; k < keys.length; k++) {
        if (generationOf(client.get(keys[k] as string)) !== generation) {
          stats.mixed++;
          if (stats.mixedExamples.length < 5)
            stats.mixedExamples.push(`group ${g}: ${keys.map((key) => generationOf(client.get(key))).join(",")}`);
          break;
        }
      }
      if (generation < (highest[g] as number)) stats.regressions++;
      else highest[g] = generation;
    }
  }
}

/** VmHWM and VmRSS of this process, KiB. */
function memory(): { peak: number; now: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { peak: field("VmHWM"), now: field("VmRSS") };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env[WORKER_SETTINGS_VARIABLE] ?? "{}") as WorkerSettings;
  const aws = emulatorClientConfig(settings.awsEndpoint);
  const ssm = new SSMClient({ ...aws, maxAttempts: 2 });
  const ssmCalls: Record<string, number> = {};
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? "unknown";
      ssmCalls[name] = (ssmCalls[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "reliabilityCallCounter" },
  );

  const client = await createConfigClient({
    parameterPath: settings.parameterPath,
    ssm,
    redis: settings.redisUrl,
    streamKey: settings.streamKey,
    instanceId: settings.instanceId,
    logger,
    ...(SCHEMAS[settings.schema] ? { schema: SCHEMAS[settings.schema] } : {}),
    ...(settings.reloadIntervalMs ? { reloadIntervalMs: settings.reloadIntervalMs } : {}),
    ...(settings.resetReloadWindowMs !== undefined ? { resetReloadWindowMs: settings.resetReloadWindowMs } : {}),
    stream: {
      reconnect: { minDelayMs: 50, maxDelayMs: 500 },
      startTimeoutMs: 3_000,
      ...(settings.blockMs ? { blockMs: settings.blockMs } : {}),
    },
    ...(settings.tokens ? { refreshServer: { tokens: settings.tokens, host: "127.0.0.1", port: 0 } } : {}),
    ...(settings.serviceId
      ? {
          registration: {
            client: new ServiceDiscoveryClient({ ...aws, disableHostPrefix: true }),
            serviceId: settings.serviceId,
            address: "127.0.0.1",
          },
        }
      : {}),
  });
  const checker = settings.groups ? new GroupChecker(client as ConfigClient, settings.groups) : undefined;

  const close = async (): Promise<void> => {
    checker?.stopLoop();
    await client.close();
  };
  closeOnSignals({ close }, { timeoutMs: 8_000 });

  process.on("message", (raw: WorkerRequest) => {
    const reply = (data?: unknown, error?: string): void =>
      send({ type: "reply", id: raw.id, ...(data !== undefined ? { data } : {}), ...(error ? { error } : {}) });
    switch (raw.command) {
      case "stats": {
        const state = client.state();
        const { peak, now } = memory();
        const stats: WorkerStats = {
          instanceId: client.instanceId,
          pid: process.pid,
          metrics: client.metrics(),
          held: Object.fromEntries(state.parameters.map((p) => [p.name, p.version])),
          lastStreamId: state.lastStreamId,
          ssmCalls: { ...ssmCalls },
          peakRssKiB: peak,
          rssKiB: now,
          ...(checker ? { reader: checker.read() } : {}),
        };
        reply(stats);
        return;
      }
      case "start-loop":
        checker?.startLoop();
        reply(checker !== undefined);
        return;
      case "stop-loop":
        checker?.stopLoop();
        reply(checker !== undefined);
        return;
      case "close":
        close().then(
          () => {
            reply(true);
            setImmediate(() => process.exit(0));
          },
          (error: unknown) => {
            reply(undefined, String(error));
            process.exit(1);
          },
        );
        return;
    }
  });
  // The parent going away (killed test run) must not leave this process behind.
  process.on("disconnect", () => void close().finally(() => process.exit(0)));
  send({ type: "ready", instanceId: client.instanceId, pid: process.pid, refreshPort: client.refreshPort ?? null });
}

main().catch((error: unknown) => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`${JSON.stringify({ level: "fatal", message: "worker failed to start", error: text })}\n`);
  send({ type: "start-failed", error: text });
  process.exit(1);
});
