import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PipelineSettingsError } from "../errors";

/** How many directories up from the app_config file a `Pulumi.<env>.yaml` is looked for. */
const MAX_LEVELS_UP = 4;
const ENV_FROM_FILE = /app_config_([A-Za-z0-9_-]+)\.ya?ml$/;

/**
 * The environment an `app_config_<env>.yaml` file is for, from its name; undefined when the name does
 * not follow it.
 */
export function envInAppConfigFileName(file: string): string | undefined {
  return ENV_FROM_FILE.exec(path.basename(file))?.[1];
}

/**
 * The environment an `app_config_<env>.yaml` file is for, from its name.
 *
 * @throws {@link PipelineSettingsError} when the name does not follow `app_config_<env>.yaml`.
 */
export function envOfAppConfigFile(file: string): string {
  const env = envInAppConfigFileName(file);
  if (!env)
    throw new PipelineSettingsError(
      `${file}: the name must be app_config_<env>.yaml (the environment comes from it), or pass --env`,
    );
  return env;
}

/**
 * The app a stack configures: `<project>:app` of the first `Pulumi.<env>.yaml` found in the
 * app_config file's directory or above it (the project name from the `Pulumi.yaml` beside it,
 * `config-refresh-pipeline` in this repository). `undefined` when there is none.
 *
 * @example
 * ```ts
 * appOfStack("beta", "stacks/app_config_beta.yaml"); // "shop", from Pulumi.beta.yaml
 * ```
 */
export function appOfStack(env: string, appConfigFile: string): string | undefined {
  let dir = path.dirname(path.resolve(appConfigFile));
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const stackFile = path.join(dir, `Pulumi.${env}.yaml`);
    if (existsSync(stackFile)) {
      const project = readYaml(path.join(dir, "Pulumi.yaml"))?.name;
      const config = (readYaml(stackFile)?.config ?? {}) as Record<string, unknown>;
      const key = typeof project === "string" ? `${project}:app` : undefined;
      const value =
        key !== undefined && key in config
          ? config[key]
          : Object.entries(config).find(([k]) => k.endsWith(":app"))?.[1];
      return typeof value === "string" && value !== "" ? value : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function readYaml(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = parse(readFileSync(file, "utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch (error) {
    throw new PipelineSettingsError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
}
