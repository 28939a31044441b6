import { randomBytes } from "node:crypto";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { Redis } from "ioredis";
import {
  createConfigClient,
  type ClientLogger,
  type ConfigClient,
  type ConfigClientOptions,
  type ConfigSchema,
} from "../../../../runtime/client";
import { emulatorClientConfig, LocalMotoServer, LocalRedisServer } from "../../../../runtime/local/servers";

/** moto + a redis-server of the test file's own, and AWS SDK clients pointed at moto. */
export interface TestEnvironment {
  moto: LocalMotoServer;
  redis: LocalRedisServer;
  ssm: SSMClient;
  serviceDiscovery: ServiceDiscoveryClient;
  /** A plain connection to the test's redis (publishing, inspecting). */
  admin: Redis;
  dispose(): Promise<void>;
}

/** Starts moto and redis for one test file (call in `before`). */
export async function startTestEnvironment(): Promise<TestEnvironment> {
  const [moto, redis] = await Promise.all([LocalMotoServer.start(), LocalRedisServer.start()]);
  const ssm = new SSMClient(emulatorClientConfig(moto.endpoint));
  const serviceDiscovery = new ServiceDiscoveryClient({
    ...emulatorClientConfig(moto.endpoint),
    disableHostPrefix: true,
  });
  const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 3, retryStrategy: () => 100 });
  admin.on("error", () => undefined);
  return {
    moto,
    redis,
    ssm,
    serviceDiscovery,
    admin,
    async dispose() {
      admin.disconnect();
      ssm.destroy();
      serviceDiscovery.destroy();
      await Promise.all([moto.stop(), redis.dispose()]);
    },
  };
}

/** A parameter path of its own for one test: `/t<random>/beta/`. */
export function uniquePath(): string {
  return `/t${randomBytes(4).toString("hex")}/beta/`;
}

/** A logger that keeps every line, for assertions on what the client says. */
export class MemoryLogger implements ClientLogger {
  public readonly lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  public debug = (message: string, attributes: Record<string, unknown> = {}): void =>
    void this.lines.push({ level: "debug", message, attributes });
  public info = (message: string, attributes: Record<string, unknown> = {}): void =>
    void this.lines.push({ level: "info", message, attributes });
  public warn = (message: string, attributes: Record<string, unknown> = {}): void =>
    void this.lines.push({ level: "warn", message, attributes });
  public error = (message: string, attributes: Record<string, unknown> = {}): void =>
    void this.lines.push({ level: "error", message, attributes });
}

/** Starts clients with test timings (short XREAD block, fast reconnects) and closes them all afterwards. */
export class ClientPool {
  private readonly clients: ConfigClient<ConfigSchema>[] = [];

  public async start<S extends ConfigSchema>(options: ConfigClientOptions<S>): Promise<ConfigClient<S>> {
    const client = await createConfigClient<S>({
      logger: new MemoryLogger(),
      ...options,
      stream: {
        blockMs: 200,
        reconnect: { minDelayMs: 50, maxDelayMs: 250 },
        startTimeoutMs: 2_000,
        ...options.stream,
      },
    });
    this.clients.push(client as unknown as ConfigClient<ConfigSchema>);
    return client;
  }

  public async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }
}

/**
 * Registers the hooks most client test files share: one environment (moto + redis-server) for the
 * file, handed to `onReady` once started; every client closed after each test; the environment
 * disposed at the end.
 */
export function useTestEnvironment(clients: ClientPool, onReady: (env: TestEnvironment) => void): void {
  let env: TestEnvironment | undefined;
  before(async function () {
    this.timeout(60_000);
    env = await startTestEnvironment();
    onReady(env);
  });
  afterEach(() => clients.closeAll());
  after(() => env?.dispose());
}
