/**
 * Error names AWS services answer a throttled call with (the SDK's own list, `@smithy/service-error-
 * classification`, for the ones SSM and Cloud Map use).
 */
const THROTTLING_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
]);

/**
 * Whether an AWS SDK error says the call was throttled: a throttling error name, HTTP 429, or the
 * SDK's own `$retryable.throttling` mark. Anything else (access denied, a bad path) is not.
 */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, $metadata, $retryable } = error as {
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  return (
    (typeof name === "string" && THROTTLING_NAMES.has(name)) ||
    $metadata?.httpStatusCode === 429 ||
    $retryable?.throttling === true
  );
}
