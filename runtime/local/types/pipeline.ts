import type { AppConfig } from "../../../components/appConfig/types";
import type { AwsClients } from "../../operator/aws/awsClients";
import type { AwsConnection } from "../../operator/aws/awsConnection";
import type { FleetState } from "../../operator/fleet/fleetState";
import type { WriteParameterOptions, WrittenParameter } from "../../operator/relay/writeParameter";
import type { AckBatch } from "../fleet/acks";
import type { ServiceFleet } from "../fleet/serviceFleet";
import type { QueueInvoker } from "../invoker/queueInvoker";
import type { RefreshResult } from "../../lambda/types";
import type { ChangeRule } from "../provision/changeRule";
import type { PipelineNames } from "../../operator/pipeline/pipelineNames";
import type { ServiceRegistryIds } from "../provision/serviceRegistry";
import type { LocalMotoServer } from "../servers/motoServer";
import type { LocalRedisServer } from "../servers/redisServer";

/** A process the pipeline started. */
export interface PipelineProcess {
  /** `moto_server`, `redis-server` or an instance id. */
  role: string;
  pid: number;
}

/**
 * The whole pipeline running on this machine: emulator, Redis, the component's resources, the
 * relay, the invoker with the real handler, and a fleet of example services. Returned by
 * `startLocalPipeline`; `stop()` stops everything it started (and only that).
 */
export interface LocalPipeline {
  readonly names: PipelineNames;
  /** `/<app>/<env>/`. */
  readonly prefix: string;
  /** The app_config file as loaded. */
  readonly appConfig: AppConfig;
  /**
   * What the pipeline hands out (`commandEnvironment()`, the instances): with an own moto, its
   * endpoint emits the change event of every write, whoever sends it, as Parameter Store does.
   */
  readonly connection: AwsConnection;
  /**
   * The pipeline's own clients. With an own moto, `ssm` reaches moto directly: a write through it
   * emits no event (as if EventBridge lost it), except through `writeParameter`, which relays it.
   */
  readonly clients: AwsClients;
  readonly redisUrl: string;
  readonly rule: ChangeRule;
  readonly registry: ServiceRegistryIds;
  /** The refresh token (a SecureString in SSM). */
  readonly refreshToken: string;
  /** True when change events are relayed (an emulator: Parameter Store does not emit them). */
  readonly relaysEvents: boolean;
  readonly fleet: ServiceFleet;
  readonly invoker: QueueInvoker;
  /** The servers this pipeline started (absent when an endpoint was given): for fault injection. */
  readonly servers: { moto?: LocalMotoServer; redis?: LocalRedisServer };

  /** Writes a parameter (name absolute or relative to the prefix) and relays its change event. */
  writeParameter(
    name: string,
    value: string,
    options?: Omit<WriteParameterOptions, "relay">,
  ): Promise<WrittenParameter>;
  /** Deletes a parameter and relays its `Delete` event. */
  deleteParameter(name: string): Promise<WrittenParameter>;
  /** Runs one reconcile sweep now (as the schedule does every `reconcileIntervalMs`): what it healed. */
  reconcile(): Promise<RefreshResult>;
  /** Every registered instance against SSM's current versions. */
  fleetState(): Promise<FleetState>;
  /** Acknowledgements written after entry `after` (default: all). */
  readAcks(after?: string): Promise<AckBatch>;
  /** Id of the newest acknowledgement (read after it to see only new ones). */
  latestAckId(): Promise<string>;
  /** The environment variables that point `config-refresh` commands at this pipeline. */
  commandEnvironment(): Record<string, string>;
  /** Every process started and still running. */
  processes(): PipelineProcess[];
  /** Stops everything this pipeline started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}
