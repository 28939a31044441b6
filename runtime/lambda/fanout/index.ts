export { RefreshFanOut, type RefreshFanOutOptions, type FanOutOutcome } from "./RefreshFanOut";
export { RefreshClientPool, type RefreshClientPoolOptions } from "./RefreshClientPool";
export { ScopePattern } from "./ScopePattern";
export { discoverInstances, type DiscoveredInstance, type DiscoveryQuery } from "./discoverInstances";
export { refreshInstance, type RefreshCallOptions, type RefreshTokenSource } from "./refreshInstance";
