/**
 * An example service that embeds `config-refresh-pipeline/client`: a small HTTP server whose
 * feature flag (`features/new_checkout`, read through OpenFeature) and log level (`log_level`)
 * change live when they change in Parameter Store. Started as N processes by the demo.
 *
 * On stdout it prints exactly one line, when ready:
 * `{"event":"ready","instanceId":"...","pid":123,"httpPort":8080,"refreshPort":50051}`; every log
 * line goes to stderr. SIGTERM/SIGINT close it gracefully (deregistered, exit 0). Missing or invalid
 * settings exit 2, configuration refused at start (missing or invalid keys) exits 1, both with a
 * message on stderr.
 *
 * Run: `node --import tsx examples/service/main.ts --help`
 */
import type { AddressInfo } from "node:net";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import { OpenFeature } from "@openfeature/server-sdk";
import { closeOnSignals, createConfigClient, type ClientLogger } from "../../runtime/client";
import { ConfigRefreshProvider } from "../../runtime/openfeature";
import { createServiceServer } from "./app";
import { serviceSchema } from "./configSchema";
import { createLogger, type ServiceLogger } from "./logger";
import { helpText, readSettings, SettingsError, type ServiceSettings } from "./settings";

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let settings: ServiceSettings;
  try {
    settings = readSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`example service: ${error.message}\n`);
    process.exit(2);
  }

  const ssmEndpoint = settings.ssmEndpoint ?? settings.awsEndpoint;
  const cloudMapEndpoint = settings.cloudMapEndpoint ?? settings.awsEndpoint;
  // Adaptive: throttled by SSM (a quota every reader of the account shares), the SDK slows its calls down.
  const ssm = new SSMClient({
    region: settings.region,
    retryMode: "adaptive",
    ...(ssmEndpoint ? { endpoint: ssmEndpoint } : {}),
  });
  const instanceId = settings.instanceId;

  // The client logs through whatever logger is current: the boot one, then the derived one.
  let current: ServiceLogger = createLogger("info", { instanceId });
  const clientLogger: ClientLogger = {
    debug: (message, ...attributes) => current.debug(message, Object.assign({}, ...attributes)),
    info: (message, ...attributes) => current.info(message, Object.assign({}, ...attributes)),
    warn: (message, ...attributes) => current.warn(message, Object.assign({}, ...attributes)),
    error: (message, ...attributes) => current.error(message, Object.assign({}, ...attributes)),
  };

  const client = await createConfigClient({
    parameterPath: settings.parameterPath,
    ssm,
    redis: settings.redisUrl,
    schema: serviceSchema,
    logger: clientLogger,
    ...(settings.streamKey ? { streamKey: settings.streamKey } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(settings.reloadIntervalMs ? { reloadIntervalMs: settings.reloadIntervalMs } : {}),
    ...(settings.refreshToken?.length
      ? {
          refreshServer: {
            tokens: settings.refreshToken,
            host: settings.refreshHost,
            ...(settings.refreshPort !== undefined ? { port: settings.refreshPort } : {}),
          },
        }
      : {}),
    ...(settings.cloudMapServiceId
      ? {
          registration: {
            client: new ServiceDiscoveryClient({
              region: settings.region,
              ...(cloudMapEndpoint ? { endpoint: cloudMapEndpoint, disableHostPrefix: true } : {}),
            }),
            serviceId: settings.cloudMapServiceId,
            attributes: settings.attributes ?? {},
            ...(settings.instanceAddress ? { address: settings.instanceAddress } : {}),
          },
        }
      : {}),
  }).catch((error: unknown) => {
    process.stderr.write(`example service: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });

  // Rebuilt when log_level changes; the old logger closes once the requests using it are done.
  const logger = client.derive(
    ["log_level"],
    (config) => createLogger(config.log_level, { instanceId: client.instanceId }),
    {
      close: (old) => old.close(),
    },
  );
  current = logger.get();
  client.onChange("log_level", () => {
    current = logger.get();
    current.info("log level changed", { level: current.level });
  });
  client.onChange("features/", (changes) => current.info("feature flags changed", { keys: changes.map((c) => c.key) }));

  // Feature flags through OpenFeature, backed by the same live client.
  await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client }));
  const server = createServiceServer(client, OpenFeature.getClient(), logger);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.httpPort, settings.httpHost, () => resolve());
  });

  closeOnSignals(client, {
    beforeClose: () =>
      new Promise<void>((resolve) => {
        current.info("stopping");
        // OpenFeature lets go of the provider; the client itself closes after the drain.
        server.close(() => void OpenFeature.close().then(resolve, resolve));
        server.closeIdleConnections();
      }),
  });

  process.stdout.write(
    `${JSON.stringify({
      event: "ready",
      instanceId: client.instanceId,
      pid: process.pid,
      httpPort: (server.address() as AddressInfo).port,
      refreshPort: client.refreshPort ?? null,
      parameterPath: client.parameterPath,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`example service: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
