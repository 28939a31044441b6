import { toError } from "../../common/errors";
import { randomUUID } from "node:crypto";

/** Where the local invoker says a failed invocation came from (there is no function ARN locally). */
export const LOCAL_FUNCTION_ARN = "local:config-refresh-pipeline:refresh-invoker";

/**
 * The record Lambda's on-failure destination writes when an asynchronous invocation's retries are
 * spent (`requestContext`, `requestPayload`, `responseContext`, `responsePayload`): what the
 * component's DLQ receives when the function keeps failing, and what `dlq replay` reads back.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(onFailureRecord(event, error, 3));
 * ```
 */
export function onFailureRecord(requestPayload: unknown, error: unknown, attempts: number): Record<string, unknown> {
  const failure = toError(error);
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: LOCAL_FUNCTION_ARN,
      condition: "RetriesExhausted",
      approximateInvokeCount: attempts,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: failure.name, errorMessage: failure.message },
  };
}
