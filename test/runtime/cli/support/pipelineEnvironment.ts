import { freePort } from "../../../../runtime/local/servers";
import type { LocalPipeline } from "../../../../runtime/local";

/** The flags that point a command at `pipeline` (explicit, so the test does not depend on its own environment). */
export function pipelineFlags(pipeline: LocalPipeline): string[] {
  return [
    "--aws-endpoint",
    pipeline.connection.endpoint!,
    "--region",
    pipeline.connection.region!,
    "--prefix",
    pipeline.prefix,
  ];
}

/** An environment without AWS credentials or pipeline variables: commands must take everything from flags. */
export const EMPTY_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "" };

/** `http://127.0.0.1:<port>` where nothing listens. */
export async function deadEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
