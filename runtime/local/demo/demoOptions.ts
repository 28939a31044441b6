import { parseArgs } from "node:util";
import { PipelineSettingsError } from "../../operator/errors";

/** Help of `npm run demo`. */
export const DEMO_HELP = `Usage: npm run demo -- [options]

Runs the whole config-refresh pipeline on this machine and shows a change reaching every instance:
its own moto_server (AWS emulator) and redis-server on free loopback ports, the parameters of
stacks/app_config_beta.yaml, the component's EventBridge rule, the real refresh handler and N example
services (separate processes, registered in Cloud Map). Then it changes a few values (one valid, one
that the service schema rejects, which the refresh function reverts in SSM, a burst of 50 writes on
one key) and prints, per instance, what it applied, how long it took and ACK/NACK; starts one more
instance while SSM holds a rejected value (it boots on the last valid one); then shows the fleet's
convergence. Ctrl-C stops everything.

Options:
  --instances N          example-service processes to start (default 5, at most 50)
  --keep                 leave the pipeline running after the demo, and print how to use
                         config-refresh set/get/status/history/rollback/dlq replay against
                         it, until Ctrl-C
  --aws-endpoint URL     use this AWS endpoint (LocalStack, a moto you run) instead of starting
                         moto_server (default: AWS_ENDPOINT_URL when set)
  --redis-url URL        use this Redis instead of starting redis-server
  --region REGION        AWS region (default: AWS_REGION, else us-east-1 against an emulator)
  --profile NAME         AWS profile (with --aws-endpoint; dummy credentials otherwise)
  --app-config FILE      the app_config_<env>.yaml to seed (default stacks/app_config_beta.yaml)
  --app NAME             first segment of the prefix /<app>/<env>/ (default: <project>:app of
                         Pulumi.<env>.yaml)
  -h, --help             this help

Needs moto_server (pip install 'moto[server]') and redis-server (apt-get install redis-server,
brew install redis) on PATH, unless --aws-endpoint and --redis-url are given.

Exit codes: 0 every instance converged and the rejected value was rejected everywhere, 1 the demo
found a problem (an instance did not converge), 2 usage or a bad setting, 3 a server is missing or
an endpoint cannot be reached, 130 interrupted (Ctrl-C).`;

/** What `npm run demo` was asked to do. */
export interface DemoOptions {
  instances: number;
  keep: boolean;
  awsEndpoint?: string;
  redisUrl?: string;
  region?: string;
  profile?: string;
  appConfigFile?: string;
  app?: string;
}

/** Most instances the demo starts (each is a Node.js process). */
export const MAX_DEMO_INSTANCES = 50;

/**
 * Reads the demo's command line; `undefined` means `--help` was asked.
 *
 * @throws {@link PipelineSettingsError} for a bad value; Node's `ERR_PARSE_ARGS_*` errors for unknown options.
 */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    options: {
      instances: { type: "string" },
      keep: { type: "boolean" },
      "aws-endpoint": { type: "string" },
      "redis-url": { type: "string" },
      region: { type: "string" },
      profile: { type: "string" },
      "app-config": { type: "string" },
      app: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  const instances = values.instances === undefined ? 5 : Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > MAX_DEMO_INSTANCES) {
    throw new PipelineSettingsError(
      `--instances must be a whole number from 1 to ${MAX_DEMO_INSTANCES}, got "${values.instances}"`,
    );
  }
  const awsEndpoint = values["aws-endpoint"] ?? (env.AWS_ENDPOINT_URL || undefined);
  return {
    instances,
    keep: values.keep ?? false,
    ...(awsEndpoint ? { awsEndpoint } : {}),
    ...(values["redis-url"] ? { redisUrl: values["redis-url"] } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values["app-config"] ? { appConfigFile: values["app-config"] } : {}),
    ...(values.app ? { app: values.app } : {}),
  };
}
