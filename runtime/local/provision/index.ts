/**
 * What the local pipeline creates, the way the component declares it: parameters from the
 * app_config file (never overwritten), the Cloud Map namespace and service, the change rule with
 * the component's pattern, its queue and dead-letter queue; plus, locally only, generated secrets.
 */
export { pipelineNames, splitPrefix, fullParameterName, type PipelineNames, type PipelineNameOverrides } from "./pipelineNames";
export { appOfStack, envOfAppConfigFile } from "./stackSettings";
export { seedAppConfigParameters, seedLocalSecrets, type SeedResult } from "./appConfigParameters";
export { ensureServiceRegistry, type ServiceRegistryIds } from "./serviceRegistry";
export { ensureChangeRule, INVOKER_TARGET_ID, EVENT_VISIBILITY_TIMEOUT_SECONDS, type ChangeRule } from "./changeRule";
