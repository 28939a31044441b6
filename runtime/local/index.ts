/**
 * The embedded default: the whole config-refresh pipeline on one machine, with real servers
 * (`moto_server`, `redis-server`), the component's own event pattern and names, the real refresh
 * handler and a fleet of example services; or pointed at LocalStack or a real account by endpoint.
 * Used by `npm run demo`, the `config-refresh` commands, the benchmarks and the reliability suite.
 * Loads no `@pulumi/*` module.
 *
 * @example
 * ```ts
 * import { startLocalPipeline } from "./runtime/local";
 *
 * const pipeline = await startLocalPipeline({ instances: 3 });
 * const written = await pipeline.writeParameter("log_level", "info");   // PutParameter + its change event
 * const state = await pipeline.fleetState();                              // every instance against SSM
 * console.log(written.version, state.converged);
 * await pipeline.stop();
 * ```
 */
export { startLocalPipeline, readRefreshToken, DEAD_LETTER_QUEUE_URL_VARIABLE } from "./pipeline";
export type { LocalPipeline, LocalPipelineOptions, PipelineProcess, ProgressEvent } from "./types";
export {
  LocalPipelineError, EndpointUnreachableError, AwsCredentialsError, PipelineSettingsError, ParameterNotFoundError,
  InstanceStartError, PipelineAbortedError, ChangeEventRelayError, MissingToolError, EXIT_CODES, exitCodeOf,
} from "./errors";
export { resolveAwsConnection, awsProcessEnvironment, createAwsClients, explainAwsError, type AwsTarget, type AwsConnection, type AwsClients, type AwsCallContext } from "./aws";
export {
  pipelineNames, splitPrefix, fullParameterName, appOfStack, envOfAppConfigFile, seedAppConfigParameters, seedLocalSecrets,
  ensureServiceRegistry, ensureChangeRule, type PipelineNames, type PipelineNameOverrides, type SeedResult, type ChangeRule, type ServiceRegistryIds,
} from "./provision";
export { ChangeEventRelay, writeParameter, deleteParameter, parameterChangeEventEntry, type ParameterChangeNotice, type WriteParameterOptions, type WrittenParameter } from "./relay";
export {
  QueueInvoker, createLocalRefreshHandler, refreshFunctionEnvironment, replayDeadLetters, onFailureRecord,
  type QueueInvokerOptions, type InvocationRecord, type RefreshFunctionTarget, type ReplayOptions, type ReplayOutcome,
} from "./invoker";
export {
  ServiceFleet, readFleetState, readCurrentVersions, callState, readAcks, latestAckId, exampleServiceCommand, packageRoot,
  type ServiceFleetOptions, type FleetInstance, type FleetState, type InstanceState, type Divergence, type AckBatch,
} from "./fleet";
export { LocalMotoServer, LocalRedisServer, emulatorClientConfig, LOCAL_AWS, freePort, waitUntil } from "./servers";
