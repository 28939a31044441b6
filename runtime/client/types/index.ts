export type { ChangeVia, ClientState, ConfigSchema, ConfigSnapshot, ConfigValues, HeldParameterInfo } from "./config";
export type { AppliedParameter, ClientEvent, ClientEventType, ClientMetrics, ConfigChange, ReloadReason } from "./events";
export type {
  AckOptions, ClientLogger, CloudMapRegistrationOptions, ConfigClientOptions, PipelineRefreshPortOption, PlatformRegistrationOptions,
  RedisConnectionOptions, RefreshServerConfig, StreamReadOptions,
} from "./options";
