import * as path from "node:path";
import { LAMBDA_ENVIRONMENT } from "../../../lambda/environment";
import { pipelineNames, splitPrefix, type PipelineNames } from "../../../operator/pipeline/pipelineNames";
import { appOfStack } from "../../../operator/pipeline/stackSettings";
import { resolveAwsConnection, type AwsConnection } from "../../../operator/aws/awsConnection";
import { PipelineSettingsError } from "../../../operator/errors";

/** The options every command that talks to AWS takes (parseArgs shape). */
export const TARGET_OPTIONS = {
  "aws-endpoint": { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  prefix: { type: "string" },
  app: { type: "string" },
  env: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The options that name the pipeline's resources, when they are not the component's defaults. */
export const NAME_OPTIONS = {
  namespace: { type: "string" },
  service: { type: "string" },
  "token-parameter": { type: "string" },
  "stream-key": { type: "string" },
} as const;

/** Help lines of {@link TARGET_OPTIONS}. */
export const TARGET_HELP = `Where (each flag falls back to an environment variable):
  --aws-endpoint URL    moto, LocalStack or any AWS-compatible endpoint (AWS_ENDPOINT_URL); without
                        it, AWS itself. With an endpoint and no credentials configured, the
                        emulator's dummy credentials are used; otherwise the SDK's default chain.
  --region REGION       AWS region (AWS_REGION; us-east-1 with an endpoint and no region)
  --profile NAME        AWS profile of ~/.aws/config (AWS_PROFILE)
  --prefix /APP/ENV/    the parameter prefix (${LAMBDA_ENVIRONMENT.parameterPrefix}), or:
  --app NAME --env ENV  the prefix /APP/ENV/ (--app defaults to <project>:app of Pulumi.<env>.yaml here)`;

/** Help lines of {@link NAME_OPTIONS}. */
export const NAME_HELP = `Names (default: the component's, derived from /<app>/<env>/):
  --namespace NAME        Cloud Map namespace (${LAMBDA_ENVIRONMENT.namespaceName}; config-refresh-<app>-<env>)
  --service NAME          Cloud Map service (${LAMBDA_ENVIRONMENT.serviceName}; <app>)
  --token-parameter NAME  SecureString of the refresh token (${LAMBDA_ENVIRONMENT.refreshTokenParameter};
                          /config-refresh/<app>/<env>/refresh-token)
  --stream-key KEY        Redis stream key (${LAMBDA_ENVIRONMENT.streamKey}; config-refresh:{<prefix>})`;

/** The exit codes every command documents. */
export const EXIT_CODES_HELP = `Exit codes: 0 ok, 1 the operation found a problem, 2 usage or a bad setting,
3 AWS (or Redis) cannot be reached, or there are no usable credentials.`;

type Values = Partial<Record<keyof typeof TARGET_OPTIONS | keyof typeof NAME_OPTIONS, string | boolean>>;

/** Where a command works: the AWS connection, and the prefix when one was given. */
export interface CommandTarget {
  connection: AwsConnection;
  /** `/<app>/<env>/`, when given (by flag, variable, or app and env). */
  prefix?: string;
}

/**
 * Resolves the AWS connection and the prefix from the flags, else the environment.
 *
 * @throws `PipelineSettingsError` for a bad endpoint, a half-given app/env or a bad prefix.
 */
export function resolveCommandTarget(values: Values, env: NodeJS.ProcessEnv): CommandTarget {
  const connection = resolveAwsConnection(
    { endpoint: text(values["aws-endpoint"]), region: text(values.region), profile: text(values.profile) },
    env,
  );
  const prefix = resolvePrefix(values, env);
  return { connection, ...(prefix ? { prefix } : {}) };
}

/**
 * The pipeline's names for the target's prefix, with the overrides of {@link NAME_OPTIONS}.
 *
 * @throws `PipelineSettingsError` when no prefix was given or it is not `/<app>/<env>/`.
 */
export function resolveNames(target: CommandTarget, values: Values, env: NodeJS.ProcessEnv): PipelineNames {
  if (!target.prefix)
    throw new PipelineSettingsError(
      `which pipeline? Give --prefix /<app>/<env>/ (or ${LAMBDA_ENVIRONMENT.parameterPrefix}), or --app and --env`,
    );
  const { app, env: stage } = splitPrefix(target.prefix);
  const namespaceName = text(values.namespace) ?? text(env[LAMBDA_ENVIRONMENT.namespaceName]);
  const serviceName = text(values.service) ?? text(env[LAMBDA_ENVIRONMENT.serviceName]);
  const refreshTokenParameter = text(values["token-parameter"]) ?? text(env[LAMBDA_ENVIRONMENT.refreshTokenParameter]);
  const streamKey = text(values["stream-key"]) ?? text(env[LAMBDA_ENVIRONMENT.streamKey]);
  return pipelineNames(app, stage, {
    ...(namespaceName ? { namespaceName } : {}),
    ...(serviceName ? { serviceName } : {}),
    ...(refreshTokenParameter ? { refreshTokenParameter } : {}),
    ...(streamKey ? { streamKey } : {}),
  });
}

function resolvePrefix(values: Values, env: NodeJS.ProcessEnv): string | undefined {
  const given =
    text(values.prefix) ?? (values.app || values.env ? undefined : text(env[LAMBDA_ENVIRONMENT.parameterPrefix]));
  if (given) {
    if (!given.startsWith("/") || !given.endsWith("/"))
      throw new PipelineSettingsError(`the prefix "${given}" must start and end with "/" (e.g. /shop/beta/)`);
    return given;
  }
  const stage = text(values.env);
  const app = text(values.app) ?? (stage ? appOfStack(stage, path.join(process.cwd(), "app_config.yaml")) : undefined);
  if (values.app && !stage) throw new PipelineSettingsError("--app needs --env (the prefix is /<app>/<env>/)");
  if (stage && !app)
    throw new PipelineSettingsError(`--env ${stage} needs --app (no Pulumi.${stage}.yaml with an app setting here)`);
  return app && stage ? `/${app}/${stage}/` : undefined;
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
