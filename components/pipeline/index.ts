/** The composed component and its arguments. */
export {
  ConfigRefreshPipeline,
  CONFIG_REFRESH_PIPELINE_TYPE,
  type ConfigRefreshPipelineOutputs,
} from "./configRefreshPipeline";
export {
  resolvePipelineSettings,
  PipelineArgsError,
  PIPELINE_DEFAULTS,
  LOG_RETENTION_DAYS,
  type PipelineSettings,
} from "./settings";
export type * from "./args";
