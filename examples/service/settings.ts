import { parseArgs } from "node:util";
import { z } from "zod";
import { CLIENT_DEFAULTS } from "../../runtime/client/resolveOptions";

/** Each setting: its command-line flag and the environment variable read when the flag is absent. */
export const SETTINGS = {
  parameterPath: {
    flag: "parameter-path",
    env: "CONFIG_PARAMETER_PATH",
    help: "SSM path of the service, /<app>/<env>/ (required)",
  },
  redisUrl: {
    flag: "redis-url",
    env: "CONFIG_REDIS_URL",
    help: "redis:// or rediss:// URL of the refresh stream (required)",
  },
  streamKey: { flag: "stream-key", env: "CONFIG_STREAM_KEY", help: "stream key (default config-refresh:{<path>})" },
  region: { flag: "region", env: "AWS_REGION", help: "AWS region (required)" },
  awsEndpoint: {
    flag: "aws-endpoint",
    env: "AWS_ENDPOINT_URL",
    help: "endpoint for every AWS client (moto, LocalStack)",
  },
  ssmEndpoint: { flag: "ssm-endpoint", env: "AWS_ENDPOINT_URL_SSM", help: "SSM endpoint (default: --aws-endpoint)" },
  cloudMapEndpoint: {
    flag: "cloud-map-endpoint",
    env: "AWS_ENDPOINT_URL_SERVICEDISCOVERY",
    help: "Cloud Map endpoint (default: --aws-endpoint)",
  },
  httpHost: { flag: "http-host", env: "HTTP_HOST", help: "HTTP interface (default 0.0.0.0)" },
  httpPort: { flag: "http-port", env: "HTTP_PORT", help: "HTTP port, 0 for any free one (default 8080)" },
  refreshHost: { flag: "refresh-host", env: "REFRESH_HOST", help: "gRPC refresh interface (default 0.0.0.0)" },
  refreshPort: {
    flag: "refresh-port",
    env: "REFRESH_PORT",
    help: "gRPC refresh port, 0 for any free one (default when registered: CONFIG_REFRESH_PORT, else 50051; else any)",
  },
  refreshToken: {
    flag: "refresh-token",
    env: "REFRESH_TOKEN",
    help: "token(s) the refresh Lambda sends, comma-separated while rotating; unset: no refresh server",
  },
  cloudMapServiceId: {
    flag: "cloud-map-service-id",
    env: "CLOUD_MAP_SERVICE_ID",
    help: "Cloud Map service id to register in (unset: no registration)",
  },
  instanceId: { flag: "instance-id", env: "INSTANCE_ID", help: "instance id (default <hostname>-<pid>)" },
  instanceAddress: {
    flag: "instance-address",
    env: "INSTANCE_ADDRESS",
    help: "IPv4 or IPv6 the refresh Lambda calls (default: the ECS task's, else the host's first non-internal one)",
  },
  attributes: { flag: "attributes", env: "CLOUD_MAP_ATTRIBUTES", help: "scope attributes, name=value,name=value" },
  reloadIntervalMs: {
    flag: "reload-interval-ms",
    env: "RELOAD_INTERVAL_MS",
    help:
      `drift-check reload interval, ms (default ${CLIENT_DEFAULTS.reloadIntervalMs}; ` +
      "the reconciler heals lost events)",
  },
} as const;

type SettingName = keyof typeof SETTINGS;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const endpoint = z.url({ protocol: /^https?$/ }).optional();

const settingsSchema = z
  .object({
    parameterPath: z.string().regex(/^\/[a-zA-Z0-9_.\-/]*\/$/, "must look like /<app>/<env>/"),
    redisUrl: z.string().regex(/^rediss?:\/\/.+/, "must be a redis:// or rediss:// URL"),
    streamKey: z.string().min(1).optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region such as eu-west-1"),
    awsEndpoint: endpoint,
    ssmEndpoint: endpoint,
    cloudMapEndpoint: endpoint,
    httpHost: z.string().min(1).default("0.0.0.0"),
    httpPort: port(8080),
    refreshHost: z.string().min(1).default("0.0.0.0"),
    refreshPort: z.coerce.number().int().min(0).max(65_535).optional(),
    refreshToken: z
      .string()
      .optional()
      .transform((text) =>
        text
          ?.split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    cloudMapServiceId: z.string().min(1).optional(),
    instanceId: z
      .string()
      .regex(/^[0-9a-zA-Z_/:.@-]{1,64}$/, "must be 1-64 characters of 0-9 a-z A-Z _ / : . @ -")
      .optional(),
    instanceAddress: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).optional(),
    attributes: z
      .string()
      .optional()
      .transform((text, ctx) => {
        const attributes: Record<string, string> = {};
        for (const pair of (text ?? "").split(",").filter(Boolean)) {
          const [name, value, extra] = pair.split("=");
          if (!name || value === undefined || extra !== undefined) {
            ctx.addIssue({ code: "custom", message: `"${pair}" is not name=value` });
            return z.NEVER;
          }
          attributes[name.trim()] = value.trim();
        }
        return attributes;
      }),
    // Its bounds are the client's own (ClientOptionsError at start): only the number's shape is checked here.
    reloadIntervalMs: z.coerce.number().int().positive().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.cloudMapServiceId && !s.refreshToken?.length) {
      ctx.addIssue({
        code: "custom",
        path: ["refreshToken"],
        message: "is required with --cloud-map-service-id (registered instances serve the refresh RPC)",
      });
    }
  });

/** The service's validated settings. */
export type ServiceSettings = z.infer<typeof settingsSchema>;

/** Thrown for missing or invalid settings; the message names every one, flag and variable. */
export class SettingsError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}\nRun with --help for every setting.`);
    this.name = "SettingsError";
  }
}

/**
 * Reads the settings from command-line flags (`--http-port 8081` or `--http-port=8081`), falling
 * back to environment variables. Throws {@link SettingsError} naming every problem.
 *
 * @example
 * ```ts
 * const settings = readSettings(process.argv.slice(2), process.env);
 * ```
 */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): ServiceSettings {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new SettingsError([(error as Error).message]);
  }
  const raw: Partial<Record<SettingName, string>> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = flags[setting.flag] ?? env[setting.env];
    if (typeof value === "string" && value !== "") raw[name] = value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new SettingsError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "") as SettingName;
      const setting = SETTINGS[name];
      const label = setting ? `--${setting.flag} (${setting.env})` : name;
      return `${label}: ${raw[name] === undefined && issue.code === "invalid_type" ? "is not set" : issue.message}`;
    }),
  );
}

/** The `--help` text. */
export function helpText(): string {
  const width = Math.max(...Object.values(SETTINGS).map((s) => s.flag.length + s.env.length));
  return [
    "Example service embedding config-refresh-pipeline/client.",
    "Usage: node --import tsx examples/service/main.ts [--flag value]...   " +
      "(each flag falls back to its environment variable)",
    "",
    ...Object.values(SETTINGS).map(
      (s) => `  --${s.flag} (${s.env})${" ".repeat(width - s.flag.length - s.env.length + 2)}${s.help}`,
    ),
  ].join("\n");
}
