import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAppConfig } from "../appConfig/loadAppConfig";
import type { AppConfig, AppConfigEntry } from "../appConfig/types";
import { readLiveParameters, type LiveParameters } from "./liveParameters";

/** Arguments of {@link AppConfigParameters}. */
export interface AppConfigParametersArgs {
  /** Path of the `app_config_<env>.yaml` file to declare. */
  file: string;
  /** The stack's prefix, `/<app>/<env>/` (leading and trailing slash). */
  prefix: string;
  /** Tags added to every parameter, beside `managed-by` and `config-refresh:prefix`. */
  tags?: Record<string, string>;
  /**
   * Fail when a name under `required_secrets:` does not exist in SSM. Default `true`: booting a
   * service whose secret was forgotten is the failure this package exists to prevent.
   */
  requireSecrets?: boolean;
}

/** What {@link AppConfigParameters.initialize} found and declared. */
interface DeclaredParameters {
  names: string[];
  adopted: string[];
  requiredSecrets: string[];
}

/** Type token of {@link AppConfigParameters}. */
export const APP_CONFIG_PARAMETERS_TYPE = "config-refresh-pipeline:parameters:AppConfigParameters";

/**
 * The fields the file only *seeds*. They are ignored after creation, so Pulumi never sends an
 * update for a parameter: the provider's update is a PutParameter that re-sends the value held in
 * state, which would silently undo a console edit whenever a description, tier or pattern changed
 * in the file. `refresh: always` would narrow that window but not close it (an edit between the
 * refresh and the update is still lost), so the file is a seed and the console owns the parameter
 * after creation; only tags stay managed (the provider tags without PutParameter).
 */
export const SEEDED_FIELDS = ["value", "insecureValue", "type", "description", "allowedPattern", "tier", "dataType"];

/**
 * Declares one SSM parameter per entry of an `app_config_<env>.yaml` file: created when missing,
 * adopted (never overwritten) when it already exists, never updated afterwards, never deleted.
 *
 * Before any parameter is declared it reads the live names under the prefix once
 * (`GetParametersByPath`), sets `import` on the parameters that already exist, and fails the
 * preview naming every `required_secrets:` entry that is missing; the preview also says which
 * declared parameters are missing and will be created. Needs Pulumi CLI 3.174 or newer
 * (an `import` whose inputs differ from the live parameter then succeeds).
 *
 * @example
 * ```ts
 * const params = new AppConfigParameters("shop-beta", {
 *   file: "stacks/app_config_beta.yaml",
 *   prefix: "/shop/beta/",
 * });
 * export const declared = params.parameterNames;
 * ```
 */
export class AppConfigParameters extends pulumi.ComponentResource<DeclaredParameters> {
  /** The prefix the parameters live under. */
  public readonly prefix: string;
  /** Full names of every parameter the file declares. */
  public readonly parameterNames: pulumi.Output<string[]>;
  /** Names that existed before this stack declared them and were adopted. */
  public readonly adoptedNames: pulumi.Output<string[]>;
  /** Full names of the secrets the file requires (checked to exist). */
  public readonly requiredSecretNames: pulumi.Output<string[]>;

  public constructor(name: string, args: AppConfigParametersArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(APP_CONFIG_PARAMETERS_TYPE, name, args, opts);
    const declared = pulumi.output(this.getData());
    this.prefix = args.prefix;
    this.parameterNames = declared.names;
    this.adoptedNames = declared.adopted;
    this.requiredSecretNames = declared.requiredSecrets;
    this.registerOutputs({
      prefix: this.prefix,
      parameterNames: this.parameterNames,
      adoptedNames: this.adoptedNames,
      requiredSecretNames: this.requiredSecretNames,
    });
  }

  /** Reads the file and the live names, then declares the parameters (runs inside `super`). */
  protected override async initialize(args: AppConfigParametersArgs): Promise<DeclaredParameters> {
    const config = loadAppConfig(args.file, { prefix: args.prefix });
    const live = await readLiveParameters(args.prefix, { parent: this });
    if (args.requireSecrets ?? true) assertRequiredSecrets(config, live);
    const tags = { ...args.tags, "managed-by": "config-refresh-pipeline", "config-refresh:prefix": args.prefix };
    reportMissingParameters(config, live, this);
    for (const entry of config.entries) declareParameter(entry, live, tags, this);
    return {
      names: config.entries.map((e) => e.name),
      adopted: config.entries.filter((e) => live.has(e.name)).map((e) => e.name),
      requiredSecrets: config.requiredSecrets.map((s) => s.name),
    };
  }
}

/** Declares one parameter, adopting the live one if it exists. */
function declareParameter(
  entry: AppConfigEntry,
  live: LiveParameters,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.ssm.Parameter {
  const liveType = live.get(entry.name);
  if (liveType !== undefined && liveType !== entry.type) {
    void pulumi.log.warn(
      `${entry.name} exists as a ${liveType}, the file says ${entry.type}: the live parameter is kept as it is`,
      parent,
    );
  }
  return new aws.ssm.Parameter(
    entry.name,
    {
      name: entry.name,
      type: entry.type,
      value: entry.value,
      description: entry.description,
      allowedPattern: entry.allowedPattern,
      tier: entry.tier,
      dataType: entry.dataType,
      tags,
    },
    {
      parent,
      ignoreChanges: SEEDED_FIELDS,
      retainOnDelete: true,
      // The engine skips `import` once the resource is in state with this id, so it only acts on the first run.
      ...(liveType !== undefined ? { import: entry.name } : {}),
    },
  );
}

/** Names listed at most in the preview's line about missing parameters. */
const MISSING_LISTED = 20;

/**
 * Says in the preview which declared parameters are not in Parameter Store and so will be created.
 * A parameter deleted in the console after an earlier `pulumi up` is among them only when the stack
 * refreshed first (`options.refresh: always`, or `--refresh`): otherwise it is still in state, and
 * the engine keeps it as it is.
 */
function reportMissingParameters(config: AppConfig, live: LiveParameters, parent: pulumi.Resource): void {
  const missing = config.entries.filter((e) => !live.has(e.name)).map((e) => e.name);
  if (missing.length === 0) return;
  const listed = missing.slice(0, MISSING_LISTED).join(", ");
  const more = missing.length > MISSING_LISTED ? ` and ${missing.length - MISSING_LISTED} more` : "";
  void pulumi.log.info(
    `${missing.length} of ${config.entries.length} declared parameters are missing from Parameter Store and will be ` +
      `created: ${listed}${more} (one deleted in the console is re-created only when the stack refreshes first: ` +
      "Pulumi.yaml options.refresh: always, or --refresh)",
    parent,
  );
}

/** Throws naming every required secret that does not exist under the prefix. */
function assertRequiredSecrets(config: AppConfig, live: LiveParameters): void {
  const missing = config.requiredSecrets.filter((s) => !live.has(s.name));
  const [first] = missing;
  if (first !== undefined) {
    const list = missing.map((s) => `  ${s.name} (${config.file}:${s.position.line})`).join("\n");
    throw new Error(
      `${missing.length} required secret${missing.length === 1 ? " is" : "s are"} missing from Parameter Store; ` +
        `create ${missing.length === 1 ? "it" : "them"} by hand as SecureString before deploying:\n${list}\n` +
        `  e.g. aws ssm put-parameter --type SecureString --name ${first.name} --value '...'`,
    );
  }
  for (const secret of config.requiredSecrets) {
    const type = live.get(secret.name);
    if (type !== "SecureString")
      void pulumi.log.warn(
        `required secret ${secret.name} is a ${type}, not a SecureString: its value is stored unencrypted`,
      );
  }
}
