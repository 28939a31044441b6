import type { ConfigClient, ConfigClientOptions } from "../client";

/** What the provider reads of a {@link ConfigClient}: any started client fits, whatever its schema. */
export type FlagSource = Pick<ConfigClient, "parameterPath" | "raw" | "state" | "onEvent" | "close">;

/** Settings every provider shares, however it gets its client. */
export interface ProviderTimings {
  /**
   * How long the client must have been unable to read the refresh stream before the provider
   * reports `PROVIDER_STALE`, ms (a Redis blip shorter than this does not flap the status). Default 1000.
   */
  staleAfterMs?: number;
}

/** The provider reads a client the service started (and closes): closing the provider leaves it open. */
export interface WrapClientOptions extends ProviderTimings {
  client: FlagSource;
  clientOptions?: never;
}

/** The provider starts its own client when OpenFeature initializes it, and closes it when OpenFeature closes. */
export interface StartClientOptions extends ProviderTimings {
  clientOptions: ConfigClientOptions;
  client?: never;
}

/**
 * Options of `ConfigRefreshProvider`: a started client (`client`) or the options to start one
 * (`clientOptions`), not both.
 *
 * @example
 * ```ts
 * new ConfigRefreshProvider({ client });                                     // the service's own client
 * new ConfigRefreshProvider({ clientOptions: { parameterPath, ssm, redis } }); // the provider starts one
 * ```
 */
export type ConfigRefreshProviderOptions = WrapClientOptions | StartClientOptions;
