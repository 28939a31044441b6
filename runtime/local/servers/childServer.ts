import { spawn, type ChildProcess } from "node:child_process";

/** A server process started by the local pipeline, stopped with it. */
export interface ChildServer {
  readonly process: ChildProcess;
  /** The last lines the server printed, for error messages. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every server still running when this process exits, so none outlives its owner. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Options of {@link spawnServer} beyond the command and its environment. */
export interface SpawnServerOptions {
  /** Working directory of the process (default: this process's). */
  cwd?: string;
}

/** Spawns `command` detached from the terminal's signals, keeping its recent output. */
export function spawnServer(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: SpawnServerOptions = {},
): ChildServer {
  installExitHook();
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  live.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => live.delete(child));
  return {
    process: child,
    output: () => lines.join("\n"),
    async stop(graceMs = 3000): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it resolves true, every `intervalMs`, for at most `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
