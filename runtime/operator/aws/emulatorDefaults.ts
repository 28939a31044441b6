/** Region and fake credentials used against an emulator (moto, LocalStack), which accepts any. */
export const LOCAL_AWS = {
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
} as const;

/**
 * Client config for an AWS SDK v3 client pointed at `endpoint` (moto, LocalStack).
 *
 * @example
 * ```ts
 * const ssm = new SSMClient(emulatorClientConfig("http://127.0.0.1:5000"));
 * ```
 */
export function emulatorClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: LOCAL_AWS.region, credentials: { ...LOCAL_AWS.credentials } };
}
