import { ConfigClient } from "./configClient";
import type { ConfigClientOptions, ConfigSchema } from "./types";

/**
 * Starts a {@link ConfigClient}: the one call a service makes at boot. Rejects with
 * `ConfigValidationError` (naming every missing or invalid key), `ConfigLoadError` (SSM
 * unreachable) or `ClientOptionsError`, after releasing whatever it had opened.
 *
 * @example
 * ```ts
 * import { createConfigClient, closeOnSignals, ssmBoolean, ssmInteger } from "config-refresh-pipeline/client";
 *
 * const client = await createConfigClient({
 *   parameterPath: "/shop/beta/",
 *   ssm: new SSMClient({}),
 *   redis: { host: process.env.REDIS_HOST, port: 6379, tls: {}, password: process.env.REDIS_AUTH },
 *   schema: {
 *     log_level: z.enum(["debug", "info", "warn", "error"]),
 *     "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
 *     "features/new_checkout": ssmBoolean(),
 *   },
 *   refreshServer: { tokens: [process.env.REFRESH_TOKEN!], port: 50051 },
 *   registration: { client: new ServiceDiscoveryClient({}), serviceId: process.env.CLOUD_MAP_SERVICE_ID! },
 * });
 * closeOnSignals(client);
 * ```
 */
export function createConfigClient<S extends ConfigSchema = ConfigSchema>(
  options: ConfigClientOptions<S>,
): Promise<ConfigClient<S>> {
  return ConfigClient.start(options);
}
