import { fork } from "node:child_process";

/**
 * Runs `script` in a child process of its own (`tsx`, `--expose-gc`, nothing else running in it)
 * and resolves with the one message of figures it sends before exiting. Rejects, naming `label`,
 * when it exits without figures; it is killed after `timeoutMs`.
 *
 * @example
 * ```ts
 * const figures = await runMeasuringChild<ReadPathFigures>(path.join(__dirname, "readPathChild.ts"), args, "the read-path child", 60_000);
 * ```
 */
export function runMeasuringChild<T>(
  script: string,
  args: readonly string[],
  label: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [...args], {
      execArgv: ["--import", "tsx", "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let figures: T | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("message", (message: T) => (figures = message));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (figures !== undefined) resolve(figures);
      else reject(new Error(`${label} exited (${signal ?? code}) without figures`));
    });
  });
}
