import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { Redis } from "ioredis";
import { createConfigClient, type ConfigClient, type StreamReadOptions } from "../../runtime/client";
import { CLIENT_DEFAULTS } from "../../runtime/client/resolveOptions";
import { emulatorClientConfig, LocalRedisServer, redisCommandCounts } from "../../runtime/local/servers";
import { countDelta } from "../support/callCounter";
import { monotonicNs, msBetween, sleep } from "../support/clock";

/** One client configuration the idle bench measures. */
export interface IdleConfiguration {
  label: string;
  /** The stream options the clients get (`{}`: the defaults). */
  stream: StreamReadOptions;
}

/** Options of {@link benchIdleRedis}. */
export interface IdleOptions {
  /** Idle clients per configuration. */
  instances: number;
  /** The window the commands are counted over, ms: a whole number of blocks of every configuration. */
  windowMs: number;
  configurations: readonly IdleConfiguration[];
}

/** What {@link benchIdleRedis} measured for one configuration. */
export interface IdleMeasurement {
  label: string;
  blockMs: number;
  positionCheckEvery: number;
  instances: number;
  windowMs: number;
  /** Commands the configuration's own redis-server ran over the window, by command (the bench's INFO taken out). */
  commands: Record<string, number>;
}

/** Between the last client gone idle and the window's start, ms. */
const EDGE_MARGIN_MS = 5_000;
/** Clients started at once (each boot reads SSM and Redis). */
const START_CONCURRENCY = 10;
const PATH = "/bench/idle/";

/**
 * Idle Redis cost of a client, measured: for each configuration, `instances` ConfigClients (stream
 * only, acks on: every connection they open counts) on a redis-server of the configuration's own,
 * all configurations side by side over the same window, nothing published. Counted with `INFO
 * commandstats` deltas. The clients live in the bench process: the count does not depend on where.
 */
export async function benchIdleRedis(
  awsEndpoint: string,
  options: IdleOptions,
  log: (line: string) => void,
): Promise<IdleMeasurement[]> {
  const ssm = new SSMClient(emulatorClientConfig(awsEndpoint));
  const fleets: {
    configuration: IdleConfiguration;
    server: LocalRedisServer;
    admin: Redis;
    clients: ConfigClient[];
  }[] = [];
  try {
    for (const [i, value] of ["info", "5000", "true"].entries()) {
      await ssm.send(
        new PutParameterCommand({ Name: `${PATH}key_${i}`, Value: value, Type: "String", Overwrite: true }),
      );
    }
    for (const configuration of options.configurations) {
      const server = await LocalRedisServer.start();
      const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
      const fleet = { configuration, server, admin, clients: [] as ConfigClient[] };
      fleets.push(fleet);
      for (let started = 0; started < options.instances; started += START_CONCURRENCY) {
        const batch = Math.min(START_CONCURRENCY, options.instances - started);
        const clients = await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            createConfigClient({
              parameterPath: PATH,
              ssm,
              redis: server.url,
              instanceId: `idle-${fleets.length}-${started + i}`,
              stream: configuration.stream,
            }),
          ),
        );
        fleet.clients.push(...clients);
      }
      log(`idle: ${options.instances} clients started (${configuration.label})`);
    }
    // Idle once the start's acknowledgements are written (the acks connection opens with them); the
    // window then starts a margin later, so that no block of a client started last ends at its edges
    // (Redis ends a block up to a tick late: 100 ms at hz 10).
    const deadline = Date.now() + 30_000;
    while (fleets.some((f) => f.clients.some((c) => c.metrics().acksWritten === 0)) && Date.now() < deadline) {
      await sleep(100);
    }
    await sleep(EDGE_MARGIN_MS);

    const before = await Promise.all(fleets.map((f) => redisCommandCounts(f.admin)));
    const started = monotonicNs();
    log(`idle: counting over ${options.windowMs / 1000} s`);
    await sleep(options.windowMs);
    const after = await Promise.all(fleets.map((f) => redisCommandCounts(f.admin)));
    const windowMs = msBetween(started, monotonicNs());
    return fleets.map((fleet, i) => {
      const commands = countDelta(before[i] ?? {}, after[i] ?? {});
      // The bench's INFO commandstats before the window counts in it; the clients' INFO replication stays.
      if (commands.info !== undefined) commands.info -= 1;
      if (commands.info === 0) delete commands.info;
      return {
        label: fleet.configuration.label,
        blockMs: fleet.configuration.stream.blockMs ?? CLIENT_DEFAULTS.blockMs,
        positionCheckEvery: fleet.configuration.stream.positionCheckEvery ?? CLIENT_DEFAULTS.positionCheckEvery,
        instances: fleet.clients.length,
        windowMs,
        commands,
      };
    });
  } finally {
    for (const fleet of fleets) {
      await Promise.all(fleet.clients.map((client) => client.close()));
      fleet.admin.disconnect();
      await fleet.server.dispose();
    }
    ssm.destroy();
  }
}
