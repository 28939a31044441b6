import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { firstOccurrenceAlarm } from "../alarms/firstOccurrenceAlarm";

/** Type token of {@link RefreshDeadLetterQueue}. */
export const REFRESH_DEAD_LETTER_QUEUE_TYPE = "config-refresh-pipeline:changeEvents:RefreshDeadLetterQueue";

/** Arguments of {@link RefreshDeadLetterQueue} (defaults already applied by the pipeline). */
export interface RefreshDeadLetterQueueArgs {
  /** Days a message is kept (1–14). */
  retentionDays: number;
  /** SNS topic notified when the alarm fires and when it clears. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Tags of every resource. */
  tags: Record<string, string>;
}

/**
 * Where a change goes when it could not be applied: EventBridge's dead-letter target (delivery
 * failed) and the function's on-failure destination (the function failed). Encrypted with
 * SQS-managed keys: EventBridge cannot write to a queue under the AWS-managed `aws/sqs` KMS key.
 * An alarm fires as soon as one message is visible, since every message is a change some
 * instances may not have seen.
 *
 * @example
 * ```ts
 * const dlq = new RefreshDeadLetterQueue("shop-beta", { retentionDays: 14, alarmTopicArn: topic.arn, tags: {} });
 * ```
 */
export class RefreshDeadLetterQueue extends pulumi.ComponentResource {
  /** ARN of the queue (dead-letter target and on-failure destination). */
  public readonly queueArn: pulumi.Output<string>;
  /** URL of the queue (for `config-refresh dlq replay`). */
  public readonly queueUrl: pulumi.Output<string>;
  /** ARN of the "queue not empty" alarm. */
  public readonly alarmArn: pulumi.Output<string>;
  /** The SQS queue itself. */
  public readonly queue: aws.sqs.Queue;

  public constructor(name: string, args: RefreshDeadLetterQueueArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(REFRESH_DEAD_LETTER_QUEUE_TYPE, name, {}, opts);
    this.queue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        messageRetentionSeconds: args.retentionDays * 86_400,
        sqsManagedSseEnabled: true,
        tags: args.tags,
      },
      { parent: this },
    );
    const alarm = firstOccurrenceAlarm(
      `${name}-dlq-not-empty`,
      {
        description:
          `A Parameter Store change for ${name} was not delivered or not applied: ` +
          "see the dead-letter queue (config-refresh dlq replay)",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: this.queue.name },
        statistic: "Maximum",
        period: 60,
        ...(args.alarmTopicArn !== undefined ? { alarmTopicArn: args.alarmTopicArn } : {}),
        tags: args.tags,
      },
      { parent: this },
    );
    this.queueArn = this.queue.arn;
    this.queueUrl = this.queue.url;
    this.alarmArn = alarm.arn;
    this.registerOutputs({ queueArn: this.queueArn, queueUrl: this.queueUrl, alarmArn: this.alarmArn });
  }
}
