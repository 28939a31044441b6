/**
 * A fleet worker: one child process of the bench that hosts many ConfigClients (each with its
 * refresh server, registered in Cloud Map, or reading the stream only), and the floors' bare counterparts on the same process
 * layout: ioredis readers blocked in XREAD, and gRPC servers of `refresh.proto` that answer at once.
 * It records when each of them sees a change (monotonic clock) and answers the parent's requests
 * over IPC (see `fleetProtocol.ts`). Exits when the parent goes away.
 */
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import * as grpc from "@grpc/grpc-js";
import { Redis } from "ioredis";
import { createConfigClient, type ClientLogger, type ConfigClient } from "../../runtime/client";
import { STDERR_LOGGER } from "../../runtime/client/observability";
import { refreshServiceDefinition, type RefreshRequest, type RefreshResponse } from "../../runtime/protocol";
import { emulatorClientConfig } from "../../runtime/local/servers";
import { CallCounter } from "../support/callCounter";
import { ArrivalBook } from "./arrivalBook";
import type {
  FleetClientSettings,
  FleetEnvelope,
  FleetRequest,
  FleetResponse,
  StartedClients,
  WorkerCounters,
} from "./fleetProtocol";

/** Clients started at once in one worker unless asked otherwise (each boot makes a few calls to moto). */
const START_CONCURRENCY = 5;

/** The clients' logger when the parent asks for quiet: errors only. */
const ERRORS_ONLY: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, attributes) => STDERR_LOGGER.error(message, attributes),
};

const clients: ConfigClient[] = [];
const readers: Redis[] = [];
const servers: grpc.Server[] = [];
const applied = new ArrivalBook();
const reloads = new ArrivalBook();
const wakes = new ArrivalBook();
const calls = new ArrivalBook();
const ssmCalls = new CallCounter();
const cloudMapCalls = new CallCounter();
let aws: { ssm: SSMClient; serviceDiscovery: ServiceDiscoveryClient } | undefined;
let stopping = false;

/** Clients of one worker share one SSM and one Cloud Map client (per process, as a service would). */
function awsClients(endpoint: string): NonNullable<typeof aws> {
  if (!aws) {
    aws = {
      ssm: new SSMClient(emulatorClientConfig(endpoint)),
      serviceDiscovery: new ServiceDiscoveryClient({ ...emulatorClientConfig(endpoint), disableHostPrefix: true }),
    };
    ssmCalls.attach(aws.ssm);
    cloudMapCalls.attach(aws.serviceDiscovery);
  }
  return aws;
}

async function startClients(
  count: number,
  firstIndex: number,
  settings: FleetClientSettings,
  concurrency = START_CONCURRENCY,
): Promise<StartedClients> {
  const { ssm, serviceDiscovery } = awsClients(settings.awsEndpoint);
  const started: StartedClients = { instanceIds: [], startMs: [] };
  const indexes = Array.from({ length: count }, (_, i) => firstIndex + i);
  for (let i = 0; i < indexes.length; i += concurrency) {
    await Promise.all(
      indexes.slice(i, i + concurrency).map(async (index) => {
        const instanceId = `${settings.idPrefix}-${index}`;
        const begun = performance.now();
        const client = await createConfigClient({
          parameterPath: settings.parameterPath,
          ssm,
          redis: settings.redisUrl,
          streamKey: settings.streamKey,
          instanceId,
          ...(settings.serviceId !== undefined
            ? {
                refreshServer: { tokens: [settings.refreshToken ?? ""], host: "127.0.0.1", port: 0 },
                registration: { client: serviceDiscovery, serviceId: settings.serviceId, address: "127.0.0.1" },
              }
            : {}),
          ...(settings.quiet ? { logger: ERRORS_ONLY } : {}),
          ...settings.options,
        });
        client.onEvent((event) => {
          if (event.type === "reload") reloads.record(event.reason, instanceId);
          if (event.type !== "applied") return;
          for (const parameter of event.parameters)
            applied.record(`${parameter.name}@${parameter.version}`, instanceId, event.via);
        });
        clients.push(client);
        started.instanceIds.push(instanceId);
        started.startMs.push(performance.now() - begun);
      }),
    );
  }
  return started;
}

function startReaders(count: number, redisUrl: string, streamKey: string): void {
  for (let i = 0; i < count; i++) {
    const who = `reader-${process.pid}-${readers.length}`;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    redis.on("error", () => undefined);
    readers.push(redis);
    void (async () => {
      let last = "$";
      while (!stopping) {
        try {
          const reply = (await redis.xread("BLOCK", 0, "STREAMS", streamKey, last)) as
            | [string, [string, string[]][]][]
            | null;
          for (const [id] of reply?.[0]?.[1] ?? []) {
            wakes.record(id, who);
            last = id;
          }
        } catch {
          if (stopping) return;
        }
      }
    })();
  }
}

async function startServers(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const who = `server-${process.pid}-${servers.length}`;
    const server = new grpc.Server();
    server.addService(refreshServiceDefinition(), {
      Refresh: (
        call: grpc.ServerUnaryCall<RefreshRequest, RefreshResponse>,
        callback: grpc.sendUnaryData<RefreshResponse>,
      ) => {
        calls.record(call.request.eventId, who);
        const results = call.request.changes.map((change) => ({
          name: change.name,
          outcome: "ACK" as const,
          version: change.version,
        }));
        callback(null, { instanceId: who, results, appliedAtMs: Date.now() });
      },
      State: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
    });
    servers.push(server);
    ports.push(
      await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
          error ? reject(error) : resolve(port),
        ),
      ),
    );
  }
  return ports;
}

function counters(): WorkerCounters {
  const clientMetrics: Record<string, number> = {};
  for (const client of clients) {
    for (const [name, value] of Object.entries(client.metrics()))
      if (typeof value === "number") clientMetrics[name] = (clientMetrics[name] ?? 0) + value;
  }
  return {
    ssmCalls: ssmCalls.snapshot(),
    cloudMapCalls: cloudMapCalls.snapshot(),
    clientMetrics,
    rssBytes: process.memoryUsage().rss,
    clients: clients.length,
  };
}

async function stop(): Promise<void> {
  stopping = true;
  await Promise.all(clients.map((client) => client.close()));
  for (const redis of readers) redis.disconnect();
  for (const server of servers) server.forceShutdown();
  aws?.ssm.destroy();
  aws?.serviceDiscovery.destroy();
}

async function handle(request: FleetRequest): Promise<unknown> {
  switch (request.op) {
    case "startClients":
      return startClients(request.count, request.firstIndex, request.settings, request.concurrency);
    case "collectApplied":
      return applied.collect(`${request.name}@${request.version}`, clients.length, request.timeoutMs);
    case "collectReloads":
      return reloads.collect(request.reason, clients.length, request.timeoutMs);
    case "startReaders":
      return startReaders(request.count, request.redisUrl, request.streamKey);
    case "collectWakes":
      return wakes.collect(request.entryId, readers.length, request.timeoutMs);
    case "startServers":
      return startServers(request.count);
    case "collectCalls":
      return calls.collect(request.callId, servers.length, request.timeoutMs);
    case "clear":
      applied.clear();
      reloads.clear();
      wakes.clear();
      calls.clear();
      return undefined;
    case "counters":
      return counters();
    case "stop":
      return stop();
  }
}

process.on("message", (message: FleetEnvelope) => {
  void handle(message)
    .then(
      (result) => reply({ id: message.id, ok: true, result: result ?? null }),
      (error: unknown) =>
        reply({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    )
    .then(() => {
      if (message.op === "stop") process.exit(0);
    });
});
// The parent is gone (crashed or killed): leave nothing behind.
process.on("disconnect", () => process.exit(1));

function reply(response: FleetResponse): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(response, undefined, {}, () => resolve());
  });
}
