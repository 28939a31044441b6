import { execFile } from "node:child_process";
import * as path from "node:path";

/** One boto3 SSM call: the client method (`put_parameter`) and its keyword arguments. */
export interface Boto3Call {
  op: string;
  args?: Record<string, unknown>;
  /** A client of this region instead of the environment's. */
  region?: string;
}

/** What boto3 answered to one call. */
export type Boto3Result =
  | { ok: true; response: Record<string, unknown> }
  | { ok: false; code: string; message: string };

/**
 * Runs `calls` in order in one `python3` process with boto3 (`boto3Calls.py`), in `env` (the
 * pipeline's `commandEnvironment()`: AWS_ENDPOINT_URL, region, credentials), and returns its answers.
 */
export function runBoto3(env: Record<string, string>, calls: Boto3Call[]): Promise<Boto3Result[]> {
  const script = path.join(__dirname, "boto3Calls.py");
  return new Promise((resolve, reject) => {
    const own = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
    execFile(
      "python3",
      [script, JSON.stringify(calls)],
      { env: { ...own, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`boto3 failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as Boto3Result[]);
      },
    );
  });
}
