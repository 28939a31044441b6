/**
 * `config-refresh-pipeline/openfeature`: an OpenFeature provider (`@openfeature/server-sdk`, a peer
 * dependency only this entry point needs) backed by the live `ConfigClient`. A flag is a parameter
 * under the client's path; a change written to SSM reaches every instance's evaluations within
 * milliseconds and its `PROVIDER_CONFIGURATION_CHANGED` handlers. Loads no `@pulumi/*` module.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { ConfigRefreshProvider } from "config-refresh-pipeline/openfeature";
 *
 * await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client })); // client: createConfigClient(...)
 * const newCheckout = await OpenFeature.getClient().getBooleanValue("features/new_checkout", false);
 * ```
 */
export { ConfigRefreshProvider, PROVIDER_NAME } from "./ConfigRefreshProvider";
export { ProviderOptionsError } from "./errors";
export type {
  ConfigRefreshProviderOptions,
  FlagSource,
  ProviderTimings,
  StartClientOptions,
  WrapClientOptions,
} from "./types";
