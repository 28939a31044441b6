import { PIPELINE_CONTRACT_DEFAULTS, REFRESH_PORT_ENV } from "../../protocol/pipelineContract";

/** The refresh port the pipeline opens to the refresh function, and who said so. */
export interface PipelineRefreshPort {
  /** A port, or `any` where no security group filters ports (the local pipeline). */
  port: number | "any";
  source: string;
}

/** What to serve and register, or the one problem that refuses the registration. */
export type RefreshPortPlan = { serverPort: number; problem?: undefined } | { problem: string; serverPort?: undefined };

/**
 * The pipeline's refresh port: `registration.pipelineRefreshPort`, else `CONFIG_REFRESH_PORT` (set
 * from the stack output `refreshPort`), else unknown. A malformed variable is a problem, never ignored.
 */
export function readPipelineRefreshPort(
  option: number | "any" | undefined,
  env: Readonly<Record<string, string | undefined>>,
): PipelineRefreshPort | { problem: string; port?: undefined } | undefined {
  if (option !== undefined) {
    // A malformed option is the options schema's to report.
    const valid = isPort(option) || option === "any";
    return valid ? { port: option, source: "registration.pipelineRefreshPort" } : undefined;
  }
  const raw = env[REFRESH_PORT_ENV]?.trim();
  if (raw === undefined || raw === "") return undefined;
  if (raw === "any") return { port: "any", source: REFRESH_PORT_ENV };
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (isPort(port)) return { port, source: REFRESH_PORT_ENV };
  return { problem: `${REFRESH_PORT_ENV}: "${raw.slice(0, 40)}" is neither a port (1-65535) nor "any"` };
}

/**
 * The refresh server's port for a registered instance, and the check that what it registers is the
 * port the pipeline opens. Unset, the server takes the pipeline's port (50051 when unknown; any free
 * one for `any`). A registered port that differs from a known pipeline port is refused: the
 * security group would drop every `Refresh` call, and the instance would look healthy while unreachable.
 */
export function planRefreshPort(
  explicit: { serverPort?: number; registeredPort?: number },
  pipeline: PipelineRefreshPort | undefined,
): RefreshPortPlan {
  const serverPort =
    explicit.serverPort ?? (pipeline?.port === "any" ? 0 : (pipeline?.port ?? PIPELINE_CONTRACT_DEFAULTS.refreshPort));
  const registered = explicit.registeredPort ?? serverPort;
  if (pipeline === undefined || pipeline.port === "any" || registered === pipeline.port) return { serverPort };
  const option = explicit.registeredPort !== undefined ? "registration.port" : "refreshServer.port";
  const what = registered === 0 ? "0 (any free port)" : String(registered);
  return {
    problem:
      `${option}: ${what} differs from the refresh port the pipeline opens to the refresh function ` +
      `(${pipeline.port}, from ${pipeline.source}): its security group would drop every Refresh call to this ` +
      `instance; register ${pipeline.port} (leave the port unset to get it)`,
  };
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65_535;
}
