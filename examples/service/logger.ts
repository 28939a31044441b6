import type { LogLevel } from "./configSchema";
import { LOG_LEVELS } from "./configSchema";

/** A JSON-lines logger at one level, writing to stderr (stdout carries only the ready line). */
export interface ServiceLogger {
  readonly level: LogLevel;
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  /** Stops writing (the logger was replaced); called once no request uses it any more. */
  close(): void;
}

/**
 * A logger that writes lines at `level` and above. The service rebuilds it through
 * `client.derive(["log_level"], ...)` when `log_level` changes in Parameter Store.
 *
 * @example
 * ```ts
 * const log = createLogger("info", { instanceId: "orders-1" });
 * log.debug("not written"); log.warn("written");
 * ```
 */
export function createLogger(
  level: LogLevel,
  base: Record<string, unknown>,
  write: (line: string) => void = (line) => process.stderr.write(line),
): ServiceLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  let closed = false;
  const at =
    (lineLevel: LogLevel) =>
    (message: string, attributes: Record<string, unknown> = {}): void => {
      if (closed || LOG_LEVELS.indexOf(lineLevel) < threshold) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, message, ...base, ...attributes })}\n`,
      );
    };
  return {
    level,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    close: () => {
      closed = true;
    },
  };
}
