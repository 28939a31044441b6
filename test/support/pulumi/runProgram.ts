import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { DEFAULT_ACCOUNT, type MockAccount } from "./mockCloud";
import type { DeclaredResource, HarnessInput, ProgramRun } from "./types";

export type { DeclaredResource, ProgramRun } from "./types";

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  /** Stack name; also selects `Pulumi.<stack>.yaml` for config unless `config` is given. */
  stack: string;
  /** Program entry module; default the repo's stack program, `stacks/index.ts`. */
  program?: string;
  /** Project name (the config namespace); default the one in `Pulumi.yaml`. */
  project?: string;
  /** Config as the engine passes it (`"project:key": "value"`); default read from `Pulumi.<stack>.yaml`. */
  config?: Record<string, string>;
  /** Config entries added to (or replacing) the defaults. */
  configOverrides?: Record<string, string>;
  /** The live account: parameters that already exist, region. */
  account?: Partial<MockAccount>;
  /** Run as a preview (default) or an update. */
  preview?: boolean;
  /** Environment added to the child process. */
  env?: Record<string, string>;
}

/** Reads `Pulumi.<stack>.yaml` the way the CLI does and flattens it to `PULUMI_CONFIG` form. */
export function stackConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const file = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config ?? {})) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** The project name from `Pulumi.yaml`. */
export function projectName(root = REPO_ROOT): string {
  return (parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/**
 * Runs a Pulumi program under mocks in its own child process and returns what it declared.
 * Never throws for the program's own errors: they are in `errors`, so failed previews can be asserted.
 */
export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "crp-program-"));
  const out = path.join(dir, "run.json");
  const input: HarnessInput = {
    program: options.program ?? path.join(REPO_ROOT, "stacks/index.ts"),
    project: options.project ?? projectName(),
    stack: options.stack,
    preview: options.preview ?? true,
    account: { ...DEFAULT_ACCOUNT, ...options.account },
  };
  const config = { ...(options.config ?? stackConfig(options.stack)), ...options.configOverrides };
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ["--import", "tsx", path.join(__dirname, "programRunner.ts")],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            ...options.env,
            PULUMI_CONFIG: JSON.stringify(config),
            CRP_HARNESS: JSON.stringify(input),
            CRP_HARNESS_OUT: out,
          },
          timeout: 120_000,
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`program runner failed: ${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      );
    });
    const run = JSON.parse(readFileSync(out, "utf8")) as ProgramRun;
    run.stderr = stderr;
    run.stdout = stdout;
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The resources of one type. */
export function ofType(run: ProgramRun, type: string): DeclaredResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type (fails when there are none or several). */
export function single(run: ProgramRun, type: string): DeclaredResource {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
