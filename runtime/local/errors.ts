/**
 * The demo harness's own errors (the local pipeline, its servers and its fleet). They extend the
 * operator library's {@link OperatorError}, so the demo and the commands share one set of exit codes.
 */
import { OperatorError } from "../operator/errors";

/** Base class of the local pipeline's errors. */
export class LocalPipelineError extends OperatorError {}

/** A service instance of the fleet exited or stayed silent before its ready line. */
export class InstanceStartError extends LocalPipelineError {
  public constructor(
    public readonly instanceId: string,
    reason: string,
    public readonly output: string,
  ) {
    super(`instance ${instanceId} did not start: ${reason}${output ? `\n--- its last output ---\n${output}` : ""}`);
  }
}

/** Start-up was interrupted (Ctrl-C, or the caller's `AbortSignal`); whatever had started was stopped. */
export class PipelineAbortedError extends LocalPipelineError {
  public constructor() {
    super("interrupted: everything that had started was stopped");
  }
}
