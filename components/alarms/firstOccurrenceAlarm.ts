import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** What {@link firstOccurrenceAlarm} watches, and whom it tells. */
export interface FirstOccurrenceAlarmArgs {
  /** What a person reading the notification should know and do. */
  description: pulumi.Input<string>;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /** `Maximum` for a level (queue depth), `Sum` for a count (errors). */
  statistic: "Maximum" | "Sum";
  /** Seconds per evaluation: the longest the alarm waits after the first occurrence. */
  period: number;
  /** SNS topic notified when the alarm fires and when it clears. */
  alarmTopicArn?: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * A CloudWatch alarm that fires as soon as the metric reaches 1 within one period, and clears
 * when it is back to 0. A period without a datapoint (an idle queue, a function not invoked)
 * counts as "nothing happened", not as "unknown".
 *
 * @example
 * ```ts
 * firstOccurrenceAlarm("shop-beta-refresh-errors", { description: "...", namespace: "AWS/Lambda", metricName: "Errors",
 *   dimensions: { FunctionName: fn.name }, statistic: "Sum", period: 300, tags: {} }, { parent: this });
 * ```
 */
export function firstOccurrenceAlarm(
  name: string,
  args: FirstOccurrenceAlarmArgs,
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
  const actions = args.alarmTopicArn !== undefined ? [args.alarmTopicArn] : [];
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: args.namespace,
      metricName: args.metricName,
      dimensions: args.dimensions,
      statistic: args.statistic,
      period: args.period,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      tags: args.tags,
    },
    opts,
  );
}
