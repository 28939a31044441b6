/**
 * Errors the refresh function throws. Every one of them means "retry this event": the handler lets
 * it escape so EventBridge retries the invocation and, once its retries are spent, the DLQ keeps the
 * event. Nothing here is thrown for bad input (that is counted and reported) or for an instance that
 * did not answer (the stream and the instances' reload are the safety net).
 */

/** Base class of the refresh function's retryable failures. */
export class RefreshError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Parameter Store could not be read (throttled, down, access denied): nothing was published. */
export class ParameterStoreError extends RefreshError {}

/** The Redis stream could not be written (down, timed out, refused): nothing reported as published. */
export class StreamPublishError extends RefreshError {}
