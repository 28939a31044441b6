import { randomUUID } from "node:crypto";
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  ListNamespacesCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import {
  DeleteParameterCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import Redis from "ioredis";
import {
  createRefreshHandler,
  lambdaEnvironment,
  readLambdaSettings,
  type LambdaSettings,
  type RefreshDependencies,
  type RefreshHandler,
} from "../../../../runtime/lambda";
import { LocalMotoServer, LocalRedisServer, emulatorClientConfig } from "../../../../runtime/local/servers";
import { parseStreamEntry, streamKeys, type ParameterType, type StreamMessage } from "../../../../runtime/protocol";
import { RecordingLogger, RecordingMetrics } from "./recorders";

let counter = 0;

/**
 * What the Lambda integration tests share per file: one moto, one redis-server of their own, SDK
 * clients pointed at them (SSM calls counted by command through the middleware stack), and helpers
 * to write parameters, register instances and read the stream back. Each test takes a fresh prefix.
 */
export class RefreshFixture {
  /** Commands sent through {@link ssm}, by name, in order. */
  public readonly ssmCalls: string[] = [];
  private readonly handlers: RefreshHandler[] = [];
  private readonly redisClients: Redis[] = [];

  private constructor(
    public readonly moto: LocalMotoServer,
    public readonly redisServer: LocalRedisServer,
    public readonly ssm: SSMClient,
    public readonly serviceDiscovery: ServiceDiscoveryClient,
    public readonly redis: Redis,
  ) {}

  public static async start(): Promise<RefreshFixture> {
    const [moto, redisServer] = await Promise.all([LocalMotoServer.start(), LocalRedisServer.start()]);
    const ssm = new SSMClient({ ...emulatorClientConfig(moto.endpoint), maxAttempts: 1 });
    const serviceDiscovery = new ServiceDiscoveryClient({
      ...emulatorClientConfig(moto.endpoint),
      disableHostPrefix: true,
    });
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined); // a test stops the server on purpose
    const fixture = new RefreshFixture(moto, redisServer, ssm, serviceDiscovery, redis);
    ssm.middlewareStack.add(
      (next, context) => async (args) => {
        fixture.ssmCalls.push(context.commandName ?? "unknown");
        return next(args);
      },
      { step: "initialize", name: "countSsmCalls" },
    );
    return fixture;
  }

  /** A prefix no other test uses: `/t<n>/beta/`. */
  public newPrefix(): string {
    counter += 1;
    return `/t${counter}-${process.pid}/beta/`;
  }

  /** How many times `command` was sent since `from` (an index into {@link ssmCalls}). */
  public countCalls(command: string, from = 0): number {
    return this.ssmCalls.slice(from).filter((name) => name === command).length;
  }

  public async put(name: string, value: string, type: ParameterType = "String"): Promise<number> {
    const answer = await this.ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }),
    );
    return answer.Version ?? 0;
  }

  public async delete(name: string): Promise<void> {
    await this.ssm.send(new DeleteParameterCommand({ Name: name }));
  }

  public async label(name: string, version: number, label: string): Promise<void> {
    await this.ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: [label] }));
  }

  /** Settings through the real environment variables, as the component sets them. */
  public settings(values: Parameters<typeof lambdaEnvironment>[0]): LambdaSettings {
    return readLambdaSettings(
      lambdaEnvironment({ redisUrl: this.redisServer.url, awsEndpoint: this.moto.endpoint, ...values }),
    );
  }

  /** A refresh function with this fixture's clients and recorders; closed in {@link close}. */
  public handler(
    settings: LambdaSettings,
    dependencies: RefreshDependencies = {},
  ): { refresh: RefreshHandler; logger: RecordingLogger; metrics: RecordingMetrics } {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const refresh = createRefreshHandler(settings, {
      ssm: this.ssm,
      serviceDiscovery: this.serviceDiscovery,
      logger,
      metrics,
      ...dependencies,
    });
    this.handlers.push(refresh);
    return { refresh, logger, metrics };
  }

  /** Every entry of the stream of `settings`, parsed with the protocol's own parser. */
  public async readStream(settings: LambdaSettings): Promise<{ id: string; message: StreamMessage }[]> {
    const entries = await this.redis.xrange(settings.streamKey, "-", "+");
    return entries.map(([id, fields]) => {
      const parsed = parseStreamEntry(id, fields);
      if (!parsed.ok) throw new Error(`stream entry ${id} does not parse: ${parsed.detail}`);
      return { id, message: parsed.message };
    });
  }

  /** The raw `published` hash of the stream of `settings`. */
  public async publishedHash(settings: LambdaSettings): Promise<Record<string, string>> {
    return this.redis.hgetall(streamKeys(settings.streamKey).published);
  }

  /**
   * What a fan-out test starts from: a new prefix, its refresh token in SSM (`tokenValue` overrides what
   * is stored, to forge a mismatch), a Cloud Map service, and settings that fan out to it (deadline 2 s,
   * one retry, unless `settings`, given the prefix and the service's id, says otherwise).
   */
  public async fanOutTarget(
    settings: (
      prefix: string,
      serviceId: string,
    ) => Omit<Parameters<typeof lambdaEnvironment>[0], "parameterPrefix"> = () => ({}),
    tokenValue?: string,
  ): Promise<{ prefix: string; token: string; serviceId: string; settings: LambdaSettings }> {
    const prefix = this.newPrefix();
    const token = `token-${randomUUID()}`;
    const tokenParameter = `/config-refresh${prefix}refresh-token`;
    await this.put(tokenParameter, tokenValue ?? token, "SecureString");
    const { namespaceName, serviceName, serviceId } = await this.createService();
    return {
      prefix,
      token,
      serviceId,
      settings: this.settings({
        parameterPrefix: prefix,
        namespaceName,
        serviceName,
        refreshTokenParameter: tokenParameter,
        rpcDeadlineMs: 2_000,
        rpcRetries: 1,
        ...settings(prefix, serviceId),
      }),
    };
  }

  /** A Cloud Map HTTP namespace and a service in it, with unique names. */
  public async createService(): Promise<{ namespaceName: string; serviceName: string; serviceId: string }> {
    counter += 1;
    const namespaceName = `ns-${counter}-${process.pid}`;
    await this.serviceDiscovery.send(new CreateHttpNamespaceCommand({ Name: namespaceName }));
    const namespaces = await this.serviceDiscovery.send(new ListNamespacesCommand({}));
    const namespaceId = namespaces.Namespaces?.find((ns) => ns.Name === namespaceName)?.Id;
    if (!namespaceId) throw new Error(`namespace ${namespaceName} not found`);
    const service = await this.serviceDiscovery.send(
      new CreateServiceCommand({ Name: "web", NamespaceId: namespaceId, HealthCheckCustomConfig: {} }),
    );
    const serviceId = service.Service?.Id;
    if (!serviceId) throw new Error("service not created");
    return { namespaceName, serviceName: "web", serviceId };
  }

  public async registerInstance(
    serviceId: string,
    instanceId: string,
    attributes: Record<string, string>,
  ): Promise<void> {
    await this.serviceDiscovery.send(
      new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId, Attributes: attributes }),
    );
  }

  /** A Redis connection of the test's own (closed in {@link close}). */
  public newRedis(): Redis {
    const redis = new Redis(this.redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
    this.redisClients.push(redis);
    return redis;
  }

  /** Closes the handlers made for the current test (call in afterEach). */
  public async closeHandlers(): Promise<void> {
    await Promise.all(this.handlers.splice(0).map((handler) => handler.close()));
    for (const redis of this.redisClients.splice(0)) redis.disconnect();
  }

  public async close(): Promise<void> {
    await this.closeHandlers();
    this.redis.disconnect();
    this.ssm.destroy();
    this.serviceDiscovery.destroy();
    await Promise.all([this.moto.stop(), this.redisServer.dispose()]);
  }
}
