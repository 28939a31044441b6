/**
 * The errors of the local pipeline and of the `config-refresh` commands built on it. Each message
 * is a sentence a person can act on (which endpoint, which parameter, what to do); each class tells
 * a script which exit code applies (see {@link exitCodeOf}).
 */
import { MissingToolError } from "./servers/missingTool";

export { MissingToolError };

/** Base class of the local pipeline's errors. */
export class LocalPipelineError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * An endpoint does not answer: moto, LocalStack or AWS (connection refused, unknown host, time-out),
 * or Redis.
 *
 * @example
 * ```ts
 * new EndpointUnreachableError("SSM", "http://127.0.0.1:4566", "connect ECONNREFUSED 127.0.0.1:4566");
 * // "cannot reach SSM at http://127.0.0.1:4566 (connect ECONNREFUSED 127.0.0.1:4566): is the emulator running, is the endpoint right?"
 * ```
 */
export class EndpointUnreachableError extends LocalPipelineError {
  public constructor(public readonly service: string, public readonly endpoint: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot reach ${service} at ${endpoint} (${detail}): is it running, and is the address right?`, options);
  }
}

/** No AWS credentials were found, or AWS refused them (unknown key, expired token, access denied). */
export class AwsCredentialsError extends LocalPipelineError {}

/** The settings themselves are unusable: no AWS region, an endpoint that is not a URL, an app name SSM refuses. */
export class PipelineSettingsError extends LocalPipelineError {}

/** A parameter that does not exist in Parameter Store. */
export class ParameterNotFoundError extends LocalPipelineError {
  public constructor(public readonly parameterName: string, hint = "") {
    super(`unknown parameter ${parameterName}: it does not exist in Parameter Store${hint ? ` (${hint})` : ""}`);
  }
}

/** A service instance of the fleet exited or stayed silent before its ready line. */
export class InstanceStartError extends LocalPipelineError {
  public constructor(public readonly instanceId: string, reason: string, public readonly output: string) {
    super(`instance ${instanceId} did not start: ${reason}${output ? `\n--- its last output ---\n${output}` : ""}`);
  }
}

/** Start-up was interrupted (Ctrl-C, or the caller's `AbortSignal`); whatever had started was stopped. */
export class PipelineAbortedError extends LocalPipelineError {
  public constructor() {
    super("interrupted: everything that had started was stopped");
  }
}

/** The relay could not hand a change event to EventBridge. */
export class ChangeEventRelayError extends LocalPipelineError {}

/**
 * Exit codes the `config-refresh` commands and the demo share: 0 ok, 1 the operation found a
 * problem (unknown parameter, diverged fleet), 2 usage or settings, 3 a dependency cannot be
 * reached or there are no credentials (a missing `moto_server`/`redis-server` counts as one).
 */
export const EXIT_CODES = { ok: 0, problem: 1, usage: 2, unreachable: 3 } as const;

/**
 * The exit code for an error.
 *
 * @example
 * ```ts
 * exitCodeOf(new ParameterNotFoundError("/shop/beta/nope")); // 1
 * ```
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof EndpointUnreachableError || error instanceof AwsCredentialsError || error instanceof MissingToolError) return EXIT_CODES.unreachable;
  if (error instanceof PipelineSettingsError) return EXIT_CODES.usage;
  return EXIT_CODES.problem;
}
