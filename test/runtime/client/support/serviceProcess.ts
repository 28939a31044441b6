import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";

/** The ready line the example service prints on stdout. */
export interface ReadyLine {
  event: "ready";
  instanceId: string;
  pid: number;
  httpPort: number;
  refreshPort: number | null;
  parameterPath: string;
}

/** A running example service process. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the ready line; rejects when the process exits first. */
  ready: Promise<ReadyLine>;
  /** Every stdout line. */
  stdoutLines: string[];
  /** Everything written on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

const MAIN = path.join(__dirname, "..", "..", "..", "..", "examples", "service", "main.ts");

/** Starts `examples/service/main.ts` as a real process (through tsx), with `env` on top of a minimal environment. */
export function startServiceProcess(args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const stdoutLines: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const ready = new Promise<ReadyLine>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length === 1) {
        try {
          resolve(JSON.parse(line) as ReadyLine);
        } catch {
          reject(new Error(`the first stdout line is not JSON: ${line}`));
        }
      }
    });
    void exited.then((code) => reject(new Error(`the service exited (${code}) before it was ready:\n${stderr}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    stdoutLines,
    exited,
    stderr: () => stderr,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
