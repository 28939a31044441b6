export { RefreshFanOut, type RefreshFanOutOptions, type FanOutOutcome } from "./RefreshFanOut";
export { RefreshClientPool, type RefreshChannelLease, type RefreshClientPoolOptions } from "./RefreshClientPool";
export { ScopePattern } from "./ScopePattern";
export { discoverInstances, type DiscoveredInstance, type Discovery, type DiscoveryQuery } from "./discoverInstances";
export { refreshInstance, type RefreshCallOptions, type RefreshTokenSource } from "./refreshInstance";
export {
  StaleRegistrations,
  type DeregisteredInstance,
  type StaleRegistrationsOptions,
  type StaleReview,
} from "./StaleRegistrations";
export { mapConcurrently } from "./mapConcurrently";
