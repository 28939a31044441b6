/**
 * `config-refresh-pipeline/client`: what a service embeds so that a value changed in SSM
 * Parameter Store is live in every instance without a restart. Loads every parameter under the
 * service's path, validates it per key (zod), listens to the refresh stream (and serves the
 * `Refresh` RPC), swaps an immutable snapshot atomically, reloads on a TTL and when the stream
 * lost its position, registers in Cloud Map and acknowledges what it applied.
 *
 * Loads no `@pulumi/*` module.
 *
 * @example
 * ```ts
 * import { createConfigClient, closeOnSignals, ssmBoolean } from "config-refresh-pipeline/client";
 *
 * const client = await createConfigClient({
 *   parameterPath: "/shop/beta/", ssm: new SSMClient({}), redis: process.env.REDIS_URL!,
 *   schema: { log_level: z.enum(["debug", "info", "warn", "error"]), "features/new_checkout": ssmBoolean() },
 * });
 * if (client.get("features/new_checkout")) { ... }
 * closeOnSignals(client);
 * ```
 */
export { ConfigClient, createConfigClient } from "./configClient";
export { closeOnSignals, type CloseOnSignalsOptions, type Closeable } from "./closeOnSignals";
export { CLIENT_DEFAULTS } from "./resolveOptions";
export {
  ConfigClientError, ConfigValidationError, ClientOptionsError, ConfigClientClosedError, ConfigLoadError, type ConfigProblem,
} from "./errors";
export { ssmBoolean, ssmInteger, ssmList, type IntegerBounds } from "./schema";
export { DerivedValue, type DeriveOptions, type ChangeListener, type KeySelector } from "./react";
export type { ReloadSummary } from "./reload";
export type {
  AckOptions, AppliedParameter, ChangeVia, ClientEvent, ClientEventType, ClientLogger, ClientMetrics, ClientState, CloudMapRegistrationOptions,
  ConfigChange, ConfigClientOptions, ConfigSchema, ConfigSnapshot, ConfigValues, HeldParameterInfo, PipelineRefreshPortOption,
  PlatformRegistrationOptions, RedisConnectionOptions, RefreshServerConfig, ReloadReason, StreamReadOptions,
} from "./types";
export { parseAckEntry, buildAckFields, type AckMessage, type AckVia } from "../protocol/ackMessage";
