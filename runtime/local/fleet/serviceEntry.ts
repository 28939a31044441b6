import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { LocalPipelineError } from "../errors";

/** How to start one example-service process. */
export interface ServiceCommand {
  command: string;
  args: string[];
  /** Working directory (the package root: `--import tsx` resolves from there). */
  cwd: string;
}

const PACKAGE_NAME = "config-refresh-pipeline";
/** Directories walked up from this file to find the package root. */
const MAX_LEVELS_UP = 6;

/** The root of this package's checkout (where `package.json` names `config-refresh-pipeline`). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME)
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new LocalPipelineError(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
}

/**
 * The command that starts `examples/service` (the example HTTP service embedding the client):
 * its built JavaScript when present (`dist/examples/service/main.js`), else the TypeScript through
 * `node --import tsx`. The example lives in the repository, not in the published package.
 *
 * @throws {@link LocalPipelineError} when neither exists (an installed package, not a checkout).
 */
export function exampleServiceCommand(root: string = packageRoot()): ServiceCommand {
  const built = path.join(root, "dist", "examples", "service", "main.js");
  if (existsSync(built)) return { command: process.execPath, args: [built], cwd: root };
  const source = path.join(root, "examples", "service", "main.ts");
  if (existsSync(source)) return { command: process.execPath, args: ["--import", "tsx", source], cwd: root };
  throw new LocalPipelineError(
    `the example service is not here (${source}): the fleet runs from a checkout of the repository`,
  );
}
