import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { Redis } from "ioredis";
import { createRefreshHandler, type RefreshHandler } from "../../runtime/lambda/createRefreshHandler";
import { lambdaEnvironment, readLambdaSettings } from "../../runtime/lambda/environment";
import { silentLogger, type RefreshMetrics } from "../../runtime/lambda/observability";
import { emulatorClientConfig, startLocalPipeline, type LocalPipeline } from "../../runtime/local";
import { createLocalRefreshHandler } from "../../runtime/operator/handler/localRefreshHandler";
import { ChangeEventRelay } from "../../runtime/operator/relay/changeEventRelay";
import { CallCounter } from "./callCounter";
import { CallTimeline } from "./callTimeline";

/** Keys of the bench's app_config file besides the changed ones (a service holds more than it changes). */
const FILLER_KEYS = 20;
/** The keys the benchmarks change, relative to the prefix. */
export const HOT_KEYS = ["hot/a", "hot/b", "hot/c", "hot/d", "hot/e"] as const;

const NO_METRICS: RefreshMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

/**
 * The local pipeline (`startLocalPipeline`: own moto_server and redis-server, the component's
 * resources, relay, invoker with the real handler) for an app_config of the bench's own, plus what
 * the benchmarks need beside it:
 * - `streamHandler`: the real refresh handler without Cloud Map settings (the stream is its only path);
 * - `rpcHandler`: the real handler with Cloud Map, publishing on `rpcStreamKey`, a stream nobody
 *   reads, so its `Refresh` calls are the only delivery;
 * - `fullHandler`: the real handler as deployed (stream and Cloud Map), invoked directly;
 * - clients of their own for writing, probing and counting.
 */
export interface BenchPipeline {
  readonly pipeline: LocalPipeline;
  readonly prefix: string;
  readonly awsEndpoint: string;
  readonly region: string;
  /** The stream the fleet reads (and `streamHandler` and the invoker's handler publish on). */
  readonly streamKey: string;
  /** The stream `rpcHandler` publishes on; no client reads it. */
  readonly rpcStreamKey: string;
  readonly streamHandler: RefreshHandler;
  readonly rpcHandler: RefreshHandler;
  readonly fullHandler: RefreshHandler;
  /** What the two direct handlers' calls cost and when they happen. */
  readonly handlerSsmCalls: CallCounter;
  readonly handlerCloudMapCalls: CallCounter;
  readonly handlerTimeline: CallTimeline;
  /** Calls of the pipeline's own clients (its invoker's handler reads SSM through them). */
  readonly pipelineSsmCalls: CallCounter;
  readonly pipelineCloudMapCalls: CallCounter;
  /** Writes parameters (PutParameter); calls nothing else. */
  readonly writer: SSMClient;
  /** Measures one SSM read on its own. */
  readonly probe: SSMClient;
  /** Sends change events to moto's EventBridge, as Parameter Store would (full path). */
  readonly relay: ChangeEventRelay;
  /** A plain connection to the bench's Redis (floors, INFO). */
  readonly admin: Redis;
  /** Full name → ARN of the hot keys (the change events' resource). */
  readonly arns: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** Starts the bench's pipeline; whatever fails half-way is stopped before the promise rejects. */
export async function startBenchPipeline(): Promise<BenchPipeline> {
  const dir = mkdtempSync(path.join(tmpdir(), "crp-bench-e2e-"));
  const file = path.join(dir, "app_config_e2e.yaml");
  const lines = ["hot:", ...HOT_KEYS.map((key) => `  ${key.split("/")[1]}: v0`), "filler:"];
  for (let i = 0; i < FILLER_KEYS; i++) lines.push(`  key_${i}: value-${i}`);
  writeFileSync(file, `${lines.join("\n")}\n`);

  const undo: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
  };
  try {
    const pipeline = await startLocalPipeline({
      appConfigFile: file,
      app: "bench",
      env: "e2e",
      invoker: { waitTimeSeconds: 20 },
    });
    undo.push(() => pipeline.stop());
    const awsEndpoint = pipeline.connection.endpoint ?? "";
    const region = pipeline.connection.region ?? "us-east-1";
    const { names } = pipeline;
    const pipelineSsmCalls = new CallCounter().attach(pipeline.clients.ssm);
    const pipelineCloudMapCalls = new CallCounter().attach(pipeline.clients.serviceDiscovery);

    const handlerSsm = new SSMClient(emulatorClientConfig(awsEndpoint));
    const handlerCloudMap = new ServiceDiscoveryClient({
      ...emulatorClientConfig(awsEndpoint),
      disableHostPrefix: true,
    });
    // Straight to moto: the endpoint handed out would emit a second event next to the bench's relay.
    const writer = new SSMClient(emulatorClientConfig(pipeline.servers.moto?.endpoint ?? awsEndpoint));
    const probe = new SSMClient(emulatorClientConfig(awsEndpoint));
    undo.push(() => {
      for (const client of [handlerSsm, handlerCloudMap, writer, probe]) client.destroy();
    });
    const handlerSsmCalls = new CallCounter().attach(handlerSsm);
    const handlerCloudMapCalls = new CallCounter().attach(handlerCloudMap);
    const handlerTimeline = new CallTimeline().attach(handlerSsm).attach(handlerCloudMap);

    const rpcStreamKey = `${names.streamKey}:rpc-only`;
    const streamHandler = createRefreshHandler(
      readLambdaSettings(
        lambdaEnvironment({
          parameterPrefix: pipeline.prefix,
          redisUrl: pipeline.redisUrl,
          streamKey: names.streamKey,
          awsEndpoint,
        }),
      ),
      { ssm: handlerSsm, logger: silentLogger, metrics: NO_METRICS },
    );
    undo.push(() => streamHandler.close());
    const rpcHandler = createLocalRefreshHandler(
      {
        prefix: pipeline.prefix,
        redisUrl: pipeline.redisUrl,
        namespaceName: names.namespaceName,
        serviceName: names.serviceName,
        refreshTokenParameter: names.refreshTokenParameter,
        streamKey: rpcStreamKey,
        awsEndpoint,
      },
      { ssm: handlerSsm, serviceDiscovery: handlerCloudMap },
    );
    undo.push(() => rpcHandler.close());
    const fullHandler = createLocalRefreshHandler(
      {
        prefix: pipeline.prefix,
        redisUrl: pipeline.redisUrl,
        namespaceName: names.namespaceName,
        serviceName: names.serviceName,
        refreshTokenParameter: names.refreshTokenParameter,
        streamKey: names.streamKey,
        awsEndpoint,
      },
      { ssm: handlerSsm, serviceDiscovery: handlerCloudMap },
    );
    undo.push(() => fullHandler.close());

    const admin = new Redis(pipeline.redisUrl, { maxRetriesPerRequest: 1 });
    admin.on("error", () => undefined);
    undo.push(() => admin.disconnect());

    const hotNames = HOT_KEYS.map((key) => pipeline.prefix + key);
    const answer = await probe.send(new GetParametersCommand({ Names: hotNames }));
    const arns = new Map((answer.Parameters ?? []).map((p) => [p.Name ?? "", p.ARN ?? ""] as const));

    return {
      pipeline,
      prefix: pipeline.prefix,
      awsEndpoint,
      region,
      streamKey: names.streamKey,
      rpcStreamKey,
      streamHandler,
      rpcHandler,
      fullHandler,
      handlerSsmCalls,
      handlerCloudMapCalls,
      handlerTimeline,
      pipelineSsmCalls,
      pipelineCloudMapCalls,
      writer,
      probe,
      relay: new ChangeEventRelay(pipeline.clients.eventBridge),
      admin,
      arns,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
