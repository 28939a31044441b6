/**
 * `config-refresh-pipeline/client`: what a service embeds so that a value changed in SSM
 * Parameter Store is live in every instance without a restart. Loads every parameter under the
 * service's path, validates it per key (zod), listens to the refresh stream (and serves the
 * `Refresh` RPC), applies each batch of changes atomically, reloads on a TTL and when the stream
 * lost its position, registers in Cloud Map and acknowledges what it applied.
 *
 * This index lists what a service uses: the factory, the client, its option and event types, its
 * errors, `closeOnSignals` and the schema helpers. The stream and ack formats are
 * `config-refresh-pipeline/protocol`'s. Loads no `@pulumi/*` module.
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
export { createConfigClient } from "./createConfigClient";
export { ConfigClient } from "./configClient";
export { closeOnSignals, type CloseOnSignalsOptions, type Closeable } from "./closeOnSignals";
export {
  ConfigClientError,
  ConfigValidationError,
  ClientOptionsError,
  ConfigClientClosedError,
  ConfigLoadError,
  type ConfigProblem,
} from "./errors";
export { ssmBoolean, ssmInteger, ssmList, type IntegerBounds } from "./schema/ssmValues";
export { DerivedValue, type DeriveOptions } from "./listeners/DerivedValue";
export type { ChangeListener, KeySelector } from "./listeners/ChangeListeners";
export type { ReloadSummary } from "./reload/reloader";
// The option, event and state types a service uses: `types/` lists them once.
export type * from "./types";
