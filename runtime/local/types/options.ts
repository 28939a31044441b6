import type { RefreshLogger } from "../../lambda/observability";
import type { RefreshResult } from "../../lambda/types";

/** One step of the pipeline's start, for progress lines. */
export interface ProgressEvent {
  step:
    | "config"
    | "moto"
    | "aws"
    | "redis"
    | "parameters"
    | "secrets"
    | "registry"
    | "rule"
    | "invoker"
    | "reconciler"
    | "instance";
  /** A line a person reads: `moto_server on http://127.0.0.1:41234 (pid 812, 2.3 s)`. */
  message: string;
  /** The process started by this step, if any. */
  pid?: number;
}

/**
 * Options of `startLocalPipeline`. Everything is optional: by default it starts its own
 * `moto_server` and `redis-server` on free loopback ports and seeds `stacks/app_config_beta.yaml`.
 */
export interface LocalPipelineOptions {
  /** An AWS endpoint to use instead of an own `moto_server` (LocalStack, a moto you run). */
  awsEndpoint?: string;
  /**
   * Use AWS itself (no emulator, no endpoint): the SDK's credential chain and region. Then no
   * secret is generated and no event is relayed (Parameter Store emits its own).
   */
  realAws?: boolean;
  /** Region (default: `AWS_REGION`, else `us-east-1` against an emulator). */
  region?: string;
  /** Named AWS profile. */
  profile?: string;
  /** A Redis to use instead of an own `redis-server` (`redis://127.0.0.1:6379`). */
  redisUrl?: string;
  /** The app_config file to seed (default: `stacks/app_config_beta.yaml` of this package). */
  appConfigFile?: string;
  /** First prefix segment (default: `<project>:app` of `Pulumi.<env>.yaml` beside or above the file). */
  app?: string;
  /** Second prefix segment (default: from the file name, `app_config_<env>.yaml`). */
  env?: string;
  /** Example-service instances to start (default 0; more can be started with `pipeline.fleet.start(n)`). */
  instances?: number;
  /** The invoker's retries (EventBridge's and Lambda's, which emulators do not apply). */
  invoker?: { maxAttempts?: number; retryDelayMs?: number; waitTimeSeconds?: number };
  /**
   * Ms between two reconcile sweeps of the prefix (the component's schedule rule; default 5 minutes,
   * `RECONCILE_DEFAULTS`); 0 runs none on its own, `pipeline.reconcile()` still runs one.
   */
  reconcileIntervalMs?: number;
  /** Called after each reconcile sweep with what it healed (`result.reconciled`). */
  onReconcile?(result: RefreshResult): void;
  /** Where the refresh handler logs (default: nowhere). */
  handlerLogger?: RefreshLogger;
  /** Called as each part is ready. */
  onProgress?(event: ProgressEvent): void;
  /** Aborts the start: whatever started is stopped and the start rejects with `PipelineAbortedError`. */
  signal?: AbortSignal;
}
