/**
 * The names of everything the pipeline is made of, from the pipeline contract's defaults (the
 * component's too): the local pipeline creates what the component would (same namespace, service,
 * token parameter, stream key), so the commands find a local pipeline and a deployed one the same way.
 */
import { prefixProblems, secretParameterNameProblems, segmentProblems } from "../../../components/appConfig/ssmRules";
import { defaultPipelineNames, registryNameProblems } from "../../protocol/pipelineContract";
import { PipelineSettingsError } from "../errors";

/** Every name of one pipeline (`/<app>/<env>/`). */
export interface PipelineNames {
  app: string;
  env: string;
  /** `/<app>/<env>/`. */
  prefix: string;
  /** Cloud Map HTTP namespace (`config-refresh-<app>-<env>`). */
  namespaceName: string;
  /** Cloud Map service (`<app>`). */
  serviceName: string;
  /** SecureString of the refresh token (`/config-refresh/<app>/<env>/refresh-token`, outside the prefix). */
  refreshTokenParameter: string;
  /** Redis stream key (`config-refresh:{/<app>/<env>/}`). */
  streamKey: string;
  /** EventBridge rule of the change events (local pipeline). */
  ruleName: string;
  /** SQS queue standing in for the rule's Lambda target (local pipeline). */
  eventQueueName: string;
  /** SQS dead-letter queue (local pipeline; in AWS its URL is the component's `deadLetterQueueUrl` output). */
  deadLetterQueueName: string;
}

/** Names a person may give instead of the defaults. */
export interface PipelineNameOverrides {
  namespaceName?: string;
  serviceName?: string;
  refreshTokenParameter?: string;
  streamKey?: string;
}

/**
 * The pipeline's names for `app` and `env`: the contract's defaults (`defaultPipelineNames`), then
 * `overrides`, checked by the same rules the component applies to them.
 *
 * @throws {@link PipelineSettingsError} naming every bad value (an app with a slash, a service name Cloud Map refuses).
 *
 * @example
 * ```ts
 * pipelineNames("shop", "beta").namespaceName; // "config-refresh-shop-beta"
 * ```
 */
export function pipelineNames(app: string, env: string, overrides: PipelineNameOverrides = {}): PipelineNames {
  const defaults = defaultPipelineNames(app, env);
  const names = {
    namespaceName: overrides.namespaceName || defaults.namespaceName,
    serviceName: overrides.serviceName || defaults.serviceName,
    refreshTokenParameter: overrides.refreshTokenParameter || defaults.refreshTokenParameterName,
    streamKey: overrides.streamKey || defaults.streamKey,
  };
  const problems = [...segmentProblems(app).map((p) => `app: ${p}`), ...segmentProblems(env).map((p) => `env: ${p}`)];
  if (problems.length === 0) problems.push(...prefixProblems(defaults.prefix));
  problems.push(...registryNameProblems(names));
  const tokenParameter = names.refreshTokenParameter;
  problems.push(...secretParameterNameProblems("refreshTokenParameterName", tokenParameter, defaults.prefix));
  if (problems.length > 0) throw new PipelineSettingsError(problems.join("; "));
  const base = `config-refresh-${app}-${env}`;
  return {
    app,
    env,
    prefix: defaults.prefix,
    ...names,
    ruleName: `${base}-parameter-change`,
    eventQueueName: `${base}-events`,
    deadLetterQueueName: `${base}-dlq`,
  };
}

/**
 * `{app, env}` of a prefix `/<app>/<env>/`.
 *
 * @throws {@link PipelineSettingsError} when the prefix is not exactly two segments between slashes.
 */
export function splitPrefix(prefix: string): { app: string; env: string } {
  const problems = prefixProblems(prefix);
  const [app, env, ...rest] = prefix.split("/").filter(Boolean);
  if (problems.length > 0 || !app || !env || rest.length > 0) {
    throw new PipelineSettingsError(
      `the prefix "${prefix}" must be /<app>/<env>/ (two segments, leading and trailing slash)` +
        `${problems.length ? `: ${problems.join("; ")}` : ""}`,
    );
  }
  return { app, env };
}

/**
 * The full SSM name of `name`: as given when it starts with `/`, else relative to `prefix`.
 *
 * @throws {@link PipelineSettingsError} for a relative name without a prefix.
 *
 * @example
 * ```ts
 * fullParameterName("log_level", "/shop/beta/"); // "/shop/beta/log_level"
 * ```
 */
export function fullParameterName(name: string, prefix: string | undefined): string {
  if (name.startsWith("/")) return name;
  if (!prefix)
    throw new PipelineSettingsError(
      `"${name}" is relative: give the prefix (--prefix /<app>/<env>/, or --app and --env), ` +
        "or the full name starting with /",
    );
  return prefix + name.replace(/^\.?\//, "");
}
