/**
 * Environment variables the `config-refresh` commands read besides the refresh function's own
 * (`LAMBDA_ENVIRONMENT`: prefix, Redis URL, names) and the AWS SDK's. The local pipeline sets them
 * too (`commandEnvironment()`), so the commands find it.
 */
export const OPERATOR_ENVIRONMENT = {
  /** URL of the dead-letter queue `dlq replay` reads (in AWS, the component's `deadLetterQueueUrl` output). */
  deadLetterQueueUrl: "CONFIG_REFRESH_DLQ_URL",
  /**
   * The Redis AUTH password itself, when it is neither read from its SSM parameter nor percent-encoded
   * in the URL. A variable, not a flag: a command line is visible to every user of the machine.
   */
  redisPassword: "CONFIG_REFRESH_REDIS_PASSWORD",
} as const;
