import { PipelineSettingsError } from "../errors";
import { LOCAL_AWS } from "./emulatorDefaults";

/**
 * Where the AWS calls go, as a person gives it: flags, else the SDK's own environment variables.
 * No endpoint means AWS itself (the SDK's default credential chain and region resolution).
 */
export interface AwsTarget {
  /** moto, LocalStack or any AWS-compatible endpoint (`--aws-endpoint`, else `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  /** `--region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's region. */
  region?: string;
  /** A named profile of `~/.aws/config` (`--profile`, else `AWS_PROFILE`, read by the SDK itself). */
  profile?: string;
}

/** Credentials given explicitly (an emulator's dummy ones). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A resolved {@link AwsTarget}: what every AWS SDK client of the commands and the local pipeline is
 * built with, and what the service processes inherit.
 */
export interface AwsConnection {
  /** Endpoint override, when not AWS itself. */
  readonly endpoint?: string;
  /** Region, when known here (else the SDK finds it in the profile or fails saying so). */
  readonly region?: string;
  readonly profile?: string;
  /** Set only for an emulator reached without any credentials configured: its dummy ones. */
  readonly credentials?: StaticCredentials;
  /** Where the calls go, for messages: the endpoint, or `AWS (<region>)`. */
  readonly label: string;
}

/**
 * Resolves where AWS calls go. With an endpoint and no credentials configured at all (no
 * `AWS_ACCESS_KEY_ID`, no profile), the emulator's dummy credentials are used, since moto and
 * LocalStack accept any; otherwise the SDK's default credential chain applies, as it would in AWS.
 * An endpoint without a region gets the emulator region `us-east-1`.
 *
 * @throws {@link PipelineSettingsError} when the endpoint is not an http(s) URL.
 *
 * @example
 * ```ts
 * resolveAwsConnection({ endpoint: "http://127.0.0.1:5000" }, {});
 * // { endpoint: "http://127.0.0.1:5000", region: "us-east-1",
 * //   credentials: { accessKeyId: "test", ... }, label: "http://127.0.0.1:5000" }
 * ```
 */
export function resolveAwsConnection(target: AwsTarget, env: NodeJS.ProcessEnv = process.env): AwsConnection {
  const endpoint = nonEmpty(target.endpoint) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new PipelineSettingsError(
      `the AWS endpoint "${endpoint}" is not an http:// or https:// URL (e.g. http://127.0.0.1:4566)`,
    );
  }
  const profile = nonEmpty(target.profile);
  const region =
    nonEmpty(target.region) ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    (endpoint ? LOCAL_AWS.region : undefined);
  const configured =
    profile !== undefined || nonEmpty(env.AWS_PROFILE) !== undefined || nonEmpty(env.AWS_ACCESS_KEY_ID) !== undefined;
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(endpoint !== undefined && !configured ? { credentials: { ...LOCAL_AWS.credentials } } : {}),
    label: endpoint ?? `AWS (${region ?? "region from the profile"})`,
  };
}

/**
 * The environment a child process (a service instance) needs to reach the same AWS: region,
 * endpoint, profile, and the dummy credentials when those are in use.
 */
export function awsProcessEnvironment(connection: AwsConnection): Record<string, string> {
  return {
    ...(connection.region ? { AWS_REGION: connection.region } : {}),
    ...(connection.endpoint ? { AWS_ENDPOINT_URL: connection.endpoint } : {}),
    ...(connection.profile ? { AWS_PROFILE: connection.profile } : {}),
    ...(connection.credentials
      ? {
          AWS_ACCESS_KEY_ID: connection.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: connection.credentials.secretAccessKey,
        }
      : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
