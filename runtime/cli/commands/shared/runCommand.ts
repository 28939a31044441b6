import { AppConfigError } from "../../../../components/appConfig/errors";
import { exitCodeOf, PipelineSettingsError } from "../../../operator/errors";
import type { Output } from "../../output";

/**
 * Runs a command's body and turns its errors into a message and an exit code: usage and settings
 * errors 2, unreachable AWS/Redis and credentials 3, anything else the command found 1. Node's own
 * parse errors (`ERR_PARSE_ARGS_*`) are rethrown so `main` prints the command's help with them.
 */
export async function runCommand(name: string, out: Output, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (
      typeof (error as { code?: unknown }).code === "string" &&
      (error as { code: string }).code.startsWith("ERR_PARSE_ARGS")
    )
      throw error;
    out.error(`config-refresh ${name}: ${(error as Error).message}`);
    if (error instanceof PipelineSettingsError || error instanceof AppConfigError) return 2;
    return exitCodeOf(error);
  }
}
