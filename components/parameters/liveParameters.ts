import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** What Parameter Store holds under a prefix right now: name → type. */
export type LiveParameters = ReadonlyMap<string, string>;

/**
 * Reads the names and types of every parameter under `prefix` with one paginated
 * `GetParametersByPath` (recursive, without decryption: only names and types are needed).
 * Runs at preview and at up, once per prefix, never once per key.
 */
export async function readLiveParameters(prefix: string, opts: pulumi.InvokeOptions = {}): Promise<LiveParameters> {
  const result = await aws.ssm.getParametersByPath(
    { path: prefix.replace(/\/$/, ""), recursive: true, withDecryption: false },
    opts,
  );
  const live = new Map<string, string>();
  result.names.forEach((name, i) => {
    live.set(name, result.types[i] ?? "String");
  });
  return live;
}
