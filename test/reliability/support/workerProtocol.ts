/**
 * What the reliability suite and its instance worker processes (`instanceWorker.ts`) say to each
 * other over the fork IPC channel. Plain data only.
 */
import type { ClientMetrics } from "../../../runtime/client";

/** Environment variable carrying the worker's {@link WorkerSettings} as JSON. */
export const WORKER_SETTINGS_VARIABLE = "RELIABILITY_WORKER_SETTINGS";

/** Schemas the worker knows by name (zod schemas cannot cross a process boundary). */
export type WorkerSchemaName =
  /** No schema: every key under the path held as its raw string. */
  | "raw"
  /** Two validated keys (`guarded/level`: debug|info|warn|error, `guarded/limit`: 1..100), the rest raw. */
  | "guarded"
  /** `checkout/currency` EUR or USD only (narrower than the example service's), the rest raw. */
  | "currency";

/** How one worker process runs its client. */
export interface WorkerSettings {
  instanceId: string;
  parameterPath: string;
  redisUrl: string;
  streamKey: string;
  awsEndpoint: string;
  schema: WorkerSchemaName;
  /** Serve `refresh.proto` on 127.0.0.1 with these tokens (omit: a stream-only instance). */
  tokens?: string[];
  /** Register in this Cloud Map service (needs `tokens`). */
  serviceId?: string;
  reloadIntervalMs?: number;
  /** The window over which a reset's reload is spread, ms (default: the client's). */
  resetReloadWindowMs?: number;
  /** XREAD BLOCK, ms (default: the client's). */
  blockMs?: number;
  /**
   * Groups of relative keys written together with the same generation (`g<gen>|...` values). A
   * change listener checks every group after every swap (so every snapshot the instance ever
   * exposed is checked) for mixed generations and regressions.
   */
  groups?: string[][];
}

/** What the checks of the groups saw. */
export interface ReaderStats {
  /** Snapshots checked by the change listener (one per swap that changed a value). */
  swapsChecked: number;
  /** Snapshots (listener) or turns (tight loop) where a group's keys held different generations. */
  mixed: number;
  /** Up to 5 examples: `group 12: g4,g4,g3`. */
  mixedExamples: string[];
  /** Times a group's generation went down between two checks. */
  regressions: number;
  /** The tight `get()` loop, when one ran. */
  loop?: {
    /** Turns of the loop (each reads every group through `get()`). */
    turns: number;
    /** Longest time between two turns, ms (a blocked event loop shows here). */
    maxGapMs: number;
    /** Turns per second while it ran. */
    turnsPerSecond: number;
    /** How long it ran, ms (the gap is judged against it: a ratio of one run, not a duration). */
    ranMs: number;
  };
}

/** A worker's answer to `stats`. */
export interface WorkerStats {
  instanceId: string;
  pid: number;
  metrics: ClientMetrics;
  /** Full name → version held. */
  held: Record<string, number>;
  lastStreamId: string;
  reader?: ReaderStats;
  /** SSM calls made by this instance's client, by command (counted by SDK middleware). */
  ssmCalls: Record<string, number>;
  /** Peak resident set size of the process (VmHWM), KiB. */
  peakRssKiB: number;
  /** Resident set size now, KiB. */
  rssKiB: number;
}

/** Parent → worker. */
export type WorkerRequest =
  | { id: number; command: "stats" }
  /** Starts the tight `get()` loop (every turn of the event loop, setImmediate) until `stop-loop`. */
  | { id: number; command: "start-loop" }
  | { id: number; command: "stop-loop" }
  | { id: number; command: "close" };

/** Worker → parent. */
export type WorkerMessage =
  | { type: "ready"; instanceId: string; pid: number; refreshPort: number | null }
  | { type: "reply"; id: number; data?: unknown; error?: string }
  | { type: "start-failed"; error: string };
