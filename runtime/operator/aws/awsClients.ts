import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsConnection } from "./awsConnection";

/** The AWS SDK v3 clients of the commands (and of the local pipeline), all pointed at one {@link AwsConnection}. */
export interface AwsClients {
  ssm: SSMClient;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  /** Built with `disableHostPrefix` when an endpoint is set (else `DiscoverInstances` calls `data-<host>`). */
  serviceDiscovery: ServiceDiscoveryClient;
  /** Closes every client. */
  destroy(): void;
}

/** Options of {@link createAwsClients}. */
export interface AwsClientOptions {
  /** Attempts per call, retries included (SDK default 3). A command line wants 2: fail fast, say why. */
  maxAttempts?: number;
  /** How long a TCP connection may take to open, ms (default 5000): a black-holed endpoint fails instead of hanging. */
  connectionTimeoutMs?: number;
}

/**
 * The SDK clients for a connection. Credentials are the dummy ones of an emulator when
 * {@link resolveAwsConnection} chose them, else the SDK's default chain (and `profile`).
 *
 * @example
 * ```ts
 * const clients = createAwsClients(resolveAwsConnection({ endpoint: moto.endpoint }));
 * await clients.ssm.send(new GetParameterCommand({ Name: "/shop/beta/log_level" }));
 * clients.destroy();
 * ```
 */
export function createAwsClients(connection: AwsConnection, options: AwsClientOptions = {}): AwsClients {
  const config = awsClientConfig(connection, options);
  const ssm = new SSMClient(config);
  const sqs = new SQSClient(config);
  const eventBridge = new EventBridgeClient(config);
  const serviceDiscovery = new ServiceDiscoveryClient({
    ...config,
    ...(connection.endpoint ? { disableHostPrefix: true } : {}),
  });
  return {
    ssm,
    sqs,
    eventBridge,
    serviceDiscovery,
    destroy() {
      for (const client of [ssm, sqs, eventBridge, serviceDiscovery]) client.destroy();
    },
  };
}

/** The configuration object every client of {@link createAwsClients} is built from. */
export function awsClientConfig(
  connection: AwsConnection,
  options: AwsClientOptions = {},
): {
  region?: string;
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  requestHandler: { connectionTimeout: number };
} {
  return {
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.profile ? { profile: connection.profile } : {}),
    ...(connection.credentials ? { credentials: { ...connection.credentials } } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5_000 },
  };
}
