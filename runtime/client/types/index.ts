export type {
  ChangeVia,
  ClientState,
  ConfigSchema,
  ConfigSnapshot,
  ConfigValues,
  HeldBackInfo,
  HeldParameterInfo,
} from "./config";
export type {
  AppliedParameter,
  ClientEvent,
  ClientEventType,
  ClientMetrics,
  ConfigChange,
  RefreshMethod,
  ReloadReason,
} from "./events";
export type {
  AckOptions,
  ClientLogger,
  CloudMapRegistrationOptions,
  ConfigClientOptions,
  PipelineRefreshPortOption,
  PlatformRegistrationOptions,
  RedisConnectionOptions,
  RefreshServerConfig,
  StreamReadOptions,
} from "./options";
