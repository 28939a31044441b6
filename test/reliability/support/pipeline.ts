import { SSMClient } from "@aws-sdk/client-ssm";
import {
  createRefreshHandler,
  LAMBDA_ENVIRONMENT,
  readLambdaSettings,
  type RefreshHandler,
  type RefreshLogger,
} from "../../../runtime/lambda";
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from "../../../runtime/local";
import { awsClientConfig } from "../../../runtime/operator/aws/awsClients";
import {
  refreshFunctionEnvironment,
  type RefreshFunctionTarget,
} from "../../../runtime/operator/handler/localRefreshHandler";
import { isRunning } from "../../runtime/local/support/processes";
import { WorkerFleet } from "./workerFleet";
import type { WorkerSettings } from "./workerProtocol";

/** SSM calls by command, counted by SDK middleware. */
export type CallCounts = Record<string, number>;

/**
 * An SSM client of the pipeline's own moto (or `endpoint`) whose calls are counted by command. Not
 * the endpoint handed out, which emits a change event per write: the suite sends its own events.
 */
export function countingSsm(
  pipeline: LocalPipeline,
  endpoint?: string,
  maxAttempts = 3,
): { ssm: SSMClient; calls: CallCounts } {
  const calls: CallCounts = {};
  const direct = endpoint ?? pipeline.servers.moto?.endpoint;
  const ssm = new SSMClient({
    ...awsClientConfig(pipeline.connection),
    ...(direct ? { endpoint: direct } : {}),
    maxAttempts,
  });
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? "unknown";
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "reliabilityCallCounter" },
  );
  return { ssm, calls };
}

/** Sum of counted calls. */
export function totalCalls(calls: CallCounts): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

/** A handler logger that keeps every line, every level, as JSON text. */
export class CapturingLogger implements RefreshLogger {
  public readonly lines: string[] = [];
  public debug = (message: string, ...attributes: Record<string, unknown>[]): void =>
    this.keep("debug", message, attributes);
  public info = (message: string, ...attributes: Record<string, unknown>[]): void =>
    this.keep("info", message, attributes);
  public warn = (message: string, ...attributes: Record<string, unknown>[]): void =>
    this.keep("warn", message, attributes);
  public error = (message: string, ...attributes: Record<string, unknown>[]): void =>
    this.keep("error", message, attributes);
  private keep(level: string, message: string, attributes: Record<string, unknown>[]): void {
    this.lines.push(JSON.stringify({ level, message, ...Object.assign({}, ...attributes) }));
  }
}

/**
 * The local pipeline (own moto_server and redis-server on free loopback ports, the component's
 * resources, relay, invoker, example-service fleet) plus what the reliability suite adds: instance
 * workers, and refresh handlers built like the deployed function with the suite's own settings.
 */
export class ReliabilityPipeline {
  public readonly workers = new WorkerFleet();
  private readonly handlers: RefreshHandler[] = [];
  private readonly started = new Set<number>();

  private constructor(public readonly pipeline: LocalPipeline) {
    for (const process of pipeline.processes()) this.started.add(process.pid);
  }

  public static async start(options: LocalPipelineOptions = {}): Promise<ReliabilityPipeline> {
    return new ReliabilityPipeline(await startLocalPipeline(options));
  }

  public get prefix(): string {
    return this.pipeline.prefix;
  }

  /** What the refresh function serves (the pipeline's names). */
  public target(): RefreshFunctionTarget {
    const { names, redisUrl, connection } = this.pipeline;
    return {
      prefix: names.prefix,
      redisUrl,
      namespaceName: names.namespaceName,
      serviceName: names.serviceName,
      refreshTokenParameter: names.refreshTokenParameter,
      streamKey: names.streamKey,
      ...(connection.endpoint ? { awsEndpoint: connection.endpoint } : {}),
    };
  }

  /**
   * The real refresh handler with the deployed function's settings (through its environment
   * variables and `readLambdaSettings`), plus `environment` overrides (e.g. the stream's MAXLEN),
   * an SSM client of the caller's and a logger that keeps every line. Closed by {@link stop}.
   */
  public handler(options: {
    ssm: SSMClient;
    logger?: RefreshLogger;
    environment?: Partial<Record<keyof typeof LAMBDA_ENVIRONMENT, string>>;
  }): RefreshHandler {
    const environment: Record<string, string> = { ...refreshFunctionEnvironment(this.target()) };
    for (const [setting, value] of Object.entries(options.environment ?? {}))
      environment[LAMBDA_ENVIRONMENT[setting as keyof typeof LAMBDA_ENVIRONMENT]] = value as string;
    const handler = createRefreshHandler(readLambdaSettings(environment), {
      ssm: options.ssm,
      serviceDiscovery: this.pipeline.clients.serviceDiscovery,
      logger: options.logger ?? new CapturingLogger(),
      metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
    });
    this.handlers.push(handler);
    return handler;
  }

  /** Settings of a worker of this pipeline: registered in its Cloud Map service with its token unless `streamOnly`. */
  public workerSettings(
    instanceId: string,
    overrides: Partial<WorkerSettings> & { streamOnly?: boolean } = {},
  ): WorkerSettings {
    const { streamOnly, ...rest } = overrides;
    const p = this.pipeline;
    return {
      instanceId,
      parameterPath: p.prefix,
      redisUrl: p.redisUrl,
      streamKey: p.names.streamKey,
      awsEndpoint: p.connection.endpoint!,
      schema: "raw",
      ...(streamOnly ? {} : { tokens: [p.refreshToken], serviceId: p.registry.serviceId }),
      ...rest,
    };
  }

  /** Every process started for this pipeline: servers, example services, workers (ever started). */
  public startedPids(): number[] {
    for (const process of this.pipeline.processes()) this.started.add(process.pid);
    for (const pid of this.pipeline.fleet.pids()) this.started.add(pid);
    for (const worker of this.workers.workers) this.started.add(worker.pid);
    return [...this.started];
  }

  /** The started processes still running (none once {@link stop} resolved). */
  public leftRunning(): number[] {
    return this.startedPids().filter((pid) => isRunning(pid));
  }

  /** Stops workers (SIGCONT first), handlers, then the pipeline; safe to call twice. */
  public async stop(): Promise<void> {
    this.startedPids();
    await this.workers.stopAll();
    await Promise.all(this.handlers.splice(0).map((handler) => handler.close()));
    await this.pipeline.stop();
  }
}
