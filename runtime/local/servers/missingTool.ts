import { spawnSync } from "node:child_process";
import { EXIT_CODES, OperatorError } from "../../operator/errors";

/** How to install each external server the local pipeline starts. */
const INSTALL_HINTS: Record<string, string> = {
  "redis-server": "install Redis 7 (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)",
  moto_server: "install moto with its server extra: pip install 'moto[server]' (Python 3.9+)",
};

/** Thrown when a server the local pipeline needs is not on PATH; says how to install it (exit code 3). */
export class MissingToolError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;

  public constructor(public readonly tool: string) {
    super(`${tool} was not found on PATH: ${INSTALL_HINTS[tool] ?? `install ${tool}`}`);
  }
}

/** Throws {@link MissingToolError} unless `tool` is on PATH. */
export function requireTool(tool: string): void {
  const found = spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  if (found.status !== 0) throw new MissingToolError(tool);
}
