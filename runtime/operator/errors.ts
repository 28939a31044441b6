/**
 * The errors of the operator library and of the `config-refresh` commands built on it. Each message
 * is a sentence a person can act on (which endpoint, which parameter, what to do); each error
 * carries the exit code a command ends with (see {@link exitCodeOf}).
 */

/**
 * Exit codes the `config-refresh` commands and the demo share: 0 ok, 1 the operation found a
 * problem (unknown parameter, diverged fleet), 2 usage or settings, 3 a dependency cannot be
 * reached or there are no credentials.
 */
export const EXIT_CODES = { ok: 0, problem: 1, usage: 2, unreachable: 3 } as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Base class of the operator library's errors: a sentence, and the exit code it means. */
export class OperatorError extends Error {
  /** The exit code of a command this error stops. */
  public readonly exitCode: ExitCode = EXIT_CODES.problem;

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
 * new EndpointUnreachableError("SSM", "http://127.0.0.1:4566", "ECONNREFUSED");
 * // "cannot reach SSM at http://127.0.0.1:4566 (ECONNREFUSED): is it running, and is the address right?"
 * ```
 */
export class EndpointUnreachableError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;

  public constructor(
    public readonly service: string,
    public readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${service} at ${endpoint} (${detail}): is it running, and is the address right?`, options);
  }
}

/**
 * What a command needs does not answer from this machine, though it may from elsewhere: the pipeline's
 * Redis (ElastiCache) and the instances' addresses are private to the VPC. Says where to run the command.
 *
 * @example
 * ```ts
 * new UnreachableFromHereError("Redis", "rediss://master.x:6379", "no answer within 3.0 s", "dlq replay");
 * ```
 */
export class UnreachableFromHereError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;

  public constructor(what: string, where: string, detail: string, command: string, options?: { cause?: unknown }) {
    super(
      `cannot reach ${what} at ${where} from this machine (${detail}): the pipeline's Redis and the instances ` +
        `answer only inside its VPC. Run \`config-refresh ${command}\` inside the VPC instead: a one-off ECS task ` +
        "in the services' subnets with their security group (the stack's serviceSecurityGroupId output), " +
        "or AWS CloudShell in that VPC",
      options,
    );
  }
}

/**
 * The pre-flight could not ask any registered instance from this machine (no `Validate` answer at all):
 * nothing was written; says which flag writes anyway, and where the instances answer.
 */
export class PreflightUnreachableError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;
}

/** Some registered instance would refuse the value (its schema, or a name it does not know): nothing was written. */
export class PreflightRefusedError extends OperatorError {}

/** Redis wants a password that was not given, or refused the one given (ElastiCache's AUTH token). */
export class RedisPasswordError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;
}

/** No AWS credentials were found, or AWS refused them (unknown key, expired token, access denied). */
export class AwsCredentialsError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.unreachable;
}

/** The settings themselves are unusable: no AWS region, an endpoint that is not a URL, an app name SSM refuses. */
export class PipelineSettingsError extends OperatorError {
  public override readonly exitCode = EXIT_CODES.usage;
}

/** A parameter that does not exist in Parameter Store. */
export class ParameterNotFoundError extends OperatorError {
  public constructor(
    public readonly parameterName: string,
    hint = "",
  ) {
    super(`unknown parameter ${parameterName}: it does not exist in Parameter Store${hint ? ` (${hint})` : ""}`);
  }
}

/** The relay could not hand a change event to EventBridge. */
export class ChangeEventRelayError extends OperatorError {}

/**
 * The exit code for an error: its own for an {@link OperatorError}, else 1 (a problem found).
 *
 * @example
 * ```ts
 * exitCodeOf(new ParameterNotFoundError("/shop/beta/nope")); // 1
 * ```
 */
export function exitCodeOf(error: unknown): number {
  return error instanceof OperatorError ? error.exitCode : EXIT_CODES.problem;
}
