/**
 * The contracts between the refresh Lambda and the instances: the Redis stream message (format v1)
 * and the `refresh.proto` RPC, and the pipeline's default names and limits that the component and
 * the runtime share. One implementation of building and parsing, used by both sides.
 * See README.md beside this file.
 */
export * from "./types";
export * from "./revision";
export * from "./streamKeys";
export {
  PIPELINE_CONTRACT_DEFAULTS,
  PIPELINE_CONTRACT_LIMITS,
  RECONCILE_DEFAULTS,
  RECONCILE_REQUEST,
  REGISTRY_SERVICE,
  defaultPipelineNames,
  defaultStreamKey,
  isReconcileRequest,
  pipelinePrefix,
  type IntegerRange,
  type PipelineDefaultNames,
} from "./pipelineContract";
export * from "./streamMessage";
export * from "./refreshService";
export * from "./refreshToken";
export * from "./refreshServer";
export * from "./ackMessage";
export * from "./refusalMessage";
export * from "./redisAccess";
