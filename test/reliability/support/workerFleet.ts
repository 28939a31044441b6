import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { isRunning } from "../../runtime/local/support/processes";
import {
  WORKER_SETTINGS_VARIABLE,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSettings,
  type WorkerStats,
} from "./workerProtocol";

const WORKER_MAIN = path.join(__dirname, "instanceWorker.ts");
const PACKAGE_ROOT = path.join(__dirname, "..", "..", "..");

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the suite asked for it (stop, kill): anything else is a crash. */
  expected: boolean;
}

/** One running instance worker (a real process embedding the client). */
export class WorkerHandle {
  public readonly instanceId: string;
  public refreshPort: number | null = null;
  /** Every stderr line (the client's log lines, JSON). */
  public readonly logLines: string[];
  public exit: WorkerExit | undefined;
  private expectExit = false;
  private paused = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly exited: Promise<WorkerExit>;

  public constructor(
    public readonly settings: WorkerSettings,
    public readonly child: ChildProcess,
    logLines: string[],
  ) {
    this.instanceId = settings.instanceId;
    this.logLines = logLines;
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal, expected: this.expectExit };
        for (const { reject } of this.pending.values())
          reject(new Error(`${this.instanceId} exited (${code ?? signal})`));
        this.pending.clear();
        resolve(this.exit);
      }),
    );
    child.on("message", (message: WorkerMessage) => {
      if (message.type !== "reply") return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${this.instanceId}: ${message.error}`));
      else waiter.resolve(message.data);
    });
  }

  public get pid(): number {
    return this.child.pid ?? 0;
  }

  /** True while the process runs (a SIGSTOP'd one included). */
  public get running(): boolean {
    return this.exit === undefined && isRunning(this.pid);
  }

  /** What the instance holds and saw (IPC, answered within `timeoutMs`). */
  public stats(timeoutMs = 10_000): Promise<WorkerStats> {
    return this.request({ command: "stats" }, timeoutMs) as Promise<WorkerStats>;
  }

  /** Starts (or stops) the worker's tight get() loop. */
  public async loop(run: boolean): Promise<void> {
    await this.request({ command: run ? "start-loop" : "stop-loop" }, 10_000);
  }

  /** SIGSTOP: the process keeps its sockets open and answers nothing. */
  public pause(): void {
    if (!this.running) return;
    this.paused = true;
    this.child.kill("SIGSTOP");
  }

  /** SIGCONT. */
  public resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.exit === undefined) this.child.kill("SIGCONT");
  }

  /** SIGKILL: the instance vanishes without deregistering (a crashed host). */
  public async kill(): Promise<void> {
    if (this.exit) return;
    this.expectExit = true;
    this.resume();
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: a graceful stop (UNHEALTHY, deregistered, exit 0); SIGKILL after `graceMs`. */
  public async stop(graceMs = 10_000): Promise<WorkerExit> {
    if (this.exit) return this.exit;
    this.expectExit = true;
    this.resume();
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private request(body: Omit<WorkerRequest, "id">, timeoutMs: number): Promise<unknown> {
    if (this.exit) return Promise.reject(new Error(`${this.instanceId} has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.instanceId} did not answer ${body.command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...body, id } as WorkerRequest);
    });
  }
}

/**
 * Starts and supervises instance workers: each is `instanceWorker.ts` in its own Node process
 * (through tsx), ready once its client booted (IPC `ready`). Keeps every log line, notices every
 * exit, and stops them all (SIGCONT first for a paused one).
 */
export class WorkerFleet {
  public readonly workers: WorkerHandle[] = [];
  /** Every log line of every worker ever started, including those stopped. */
  public readonly logLines: string[] = [];

  /** Starts one worker and waits for its ready message (at most `timeoutMs`). */
  public async start(settings: WorkerSettings, timeoutMs = 60_000): Promise<WorkerHandle> {
    const child = fork(WORKER_MAIN, [], {
      cwd: PACKAGE_ROOT,
      execArgv: ["--require", "tsx/cjs"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        [WORKER_SETTINGS_VARIABLE]: JSON.stringify(settings),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on("line", (line) => {
        lines.push(line);
        this.logLines.push(line);
      });
    }
    const handle = new WorkerHandle(settings, child, lines);
    this.workers.push(handle);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(
            new Error(`${settings.instanceId} was not ready within ${timeoutMs} ms:\n${lines.slice(-20).join("\n")}`),
          ),
        timeoutMs,
      );
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === "ready") {
          handle.refreshPort = message.refreshPort;
          done();
        } else if (message.type === "start-failed")
          done(new Error(`${settings.instanceId} failed to start: ${message.error}`));
      };
      const onExit = (code: number | null, signal: string | null): void =>
        done(
          new Error(
            `${settings.instanceId} exited (${code ?? signal}) before it was ready:\n${lines.slice(-20).join("\n")}`,
          ),
        );
      const done = (error?: Error): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (error) {
          child.kill("SIGKILL");
          reject(error);
        } else resolve();
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
    return handle;
  }

  /** Starts several workers, `parallel` at a time (each boot loads the whole path from SSM). */
  public async startAll(settings: readonly WorkerSettings[], parallel = 4): Promise<WorkerHandle[]> {
    const handles: WorkerHandle[] = new Array(settings.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(parallel, settings.length) }, async () => {
        while (next < settings.length) {
          const index = next++;
          handles[index] = await this.start(settings[index] as WorkerSettings);
        }
      }),
    );
    return handles;
  }

  /** The workers still running. */
  public get running(): WorkerHandle[] {
    return this.workers.filter((worker) => worker.running);
  }

  /** Exits nobody asked for (crashes), with their last lines. */
  public crashes(): string[] {
    return this.workers
      .filter((worker) => worker.exit && !worker.exit.expected)
      .map(
        (worker) =>
          `${worker.instanceId} exited (${worker.exit!.code ?? worker.exit!.signal}): ${worker.logLines.slice(-5).join(" | ")}`,
      );
  }

  /** Stops every worker gracefully (SIGCONT first), in parallel; returns the exits of those that were running. */
  public async stopAll(): Promise<WorkerExit[]> {
    return Promise.all(this.workers.filter((worker) => !worker.exit).map((worker) => worker.stop()));
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
