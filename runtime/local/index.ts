/**
 * The demo harness: the whole config-refresh pipeline on one machine, with real servers
 * (`moto_server`, `redis-server`), the component's own event pattern and names, the real refresh
 * handler and a fleet of example services; or pointed at LocalStack or a real account by endpoint.
 * Used by `npm run demo`, the benchmarks and the tests; never published (the `config-refresh`
 * commands use the operator library, `runtime/operator`). Loads no `@pulumi/*` module.
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
export { startLocalPipeline } from "./pipeline/startLocalPipeline";
export { readRefreshToken } from "./pipeline/readRefreshToken";
export type { LocalPipelineOptions, ProgressEvent } from "./types/options";
export type { LocalPipeline, PipelineProcess } from "./types/pipeline";
export { LocalPipelineError, InstanceStartError, PipelineAbortedError } from "./errors";
export { seedAppConfigParameters, seedLocalSecrets, type SeedResult } from "./provision/appConfigParameters";
export { ensureServiceRegistry, type ServiceRegistryIds } from "./provision/serviceRegistry";
export { ensureChangeRule, type ChangeRule } from "./provision/changeRule";
export { QueueInvoker, type QueueInvokerOptions, type InvocationRecord } from "./invoker/queueInvoker";
export { onFailureRecord } from "./invoker/onFailureRecord";
export { ServiceFleet, type ServiceFleetOptions, type FleetInstance } from "./fleet/serviceFleet";
export { exampleServiceCommand, packageRoot } from "./fleet/serviceEntry";
export { readAcks, latestAckId, type AckBatch } from "./fleet/acks";
export {
  LocalMotoServer,
  LocalRedisServer,
  emulatorClientConfig,
  LOCAL_AWS,
  freePort,
  waitUntil,
  MissingToolError,
} from "./servers";
