import { describeError } from "../common/errors";
/** Base class of the errors the client library throws. */
export class ConfigClientError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One key that keeps the configuration from being valid. */
export interface ConfigProblem {
  /** Name relative to the path. */
  readonly key: string;
  /** Full SSM name. */
  readonly name: string;
  /** `missing`: required and absent from SSM; `invalid`: its schema refused the value. */
  readonly problem: "missing" | "invalid";
  /** What the schema said (never the value). */
  readonly detail: string;
}

/**
 * Thrown by `createConfigClient` when a required key is missing or a value is invalid: a service
 * must not boot on broken configuration. The message names every problem, one per line.
 *
 * @example
 * ```ts
 * try { await createConfigClient(options); } catch (e) {
 *   if (e instanceof ConfigValidationError) console.error(e.problems.map((p) => p.key));
 * }
 * ```
 */
export class ConfigValidationError extends ConfigClientError {
  public constructor(
    public readonly parameterPath: string,
    public readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `the configuration under ${parameterPath} is not valid, refusing to start:\n` +
        problems
          .map(
            (p) => `  ${p.key} (${p.name}): ${p.problem === "missing" ? "missing (required)" : `invalid: ${p.detail}`}`,
          )
          .join("\n"),
    );
  }
}

/** Thrown by `createConfigClient` when its options are wrong; the message names every bad option. */
export class ClientOptionsError extends ConfigClientError {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid config client options:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

/** Thrown by calls that need a running client after `close()`. */
export class ConfigClientClosedError extends ConfigClientError {
  public constructor(what: string) {
    super(`${what}: the config client is closed`);
  }
}

/** Thrown when the initial load from SSM fails (the SDK's error is the `cause`). */
export class ConfigLoadError extends ConfigClientError {
  public constructor(parameterPath: string, cause: unknown) {
    super(`cannot load the parameters under ${parameterPath} from SSM: ${describeError(cause)}`);
    this.cause = cause;
  }
}
