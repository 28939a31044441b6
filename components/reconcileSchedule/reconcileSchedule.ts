import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_METRICS_NAMESPACE, pipelineServiceName } from "../../runtime/lambda/observability/telemetry";
import { REFRESH_METRICS } from "../../runtime/lambda/observability/recordRefreshMetrics";
import { RECONCILE_REQUEST } from "../../runtime/protocol/pipelineContract";
import { firstOccurrenceAlarm } from "../alarms/firstOccurrenceAlarm";

/** Type token of {@link ReconcileSchedule}. */
export const RECONCILE_SCHEDULE_TYPE = "config-refresh-pipeline:reconcileSchedule:ReconcileSchedule";

/** Arguments of {@link ReconcileSchedule} (defaults already applied by the pipeline). */
export interface ReconcileScheduleArgs {
  /** `/<app>/<env>/`, for descriptions. */
  prefix: string;
  /** The refresh function, invoked with `RECONCILE_REQUEST`. */
  functionArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  /** Minutes between two sweeps (1–1440). */
  intervalMinutes: number;
  /** SNS topic notified when a sweep heals a change (events are being lost) and when that stops. */
  alarmTopicArn?: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** EventBridge's rate expression: `rate(1 minute)`, `rate(5 minutes)` (AWS refuses `rate(1 minutes)`). */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}

/**
 * The reconciler's schedule, once per environment: an EventBridge schedule rule that invokes the
 * refresh function with `{"config-refresh":"reconcile"}` every `intervalMinutes`, the function's
 * permission for this rule only, and an alarm on the `Reconciled` metric: a sweep normally heals
 * nothing, so a non-zero count means change events are being lost (or the function failed them).
 *
 * @example
 * ```ts
 * new ReconcileSchedule("shop-beta", { prefix: "/shop/beta/", functionArn, functionName,
 *   intervalMinutes: 5, tags: {} });
 * ```
 */
export class ReconcileSchedule extends pulumi.ComponentResource {
  /** ARN of the schedule rule. */
  public readonly ruleArn: pulumi.Output<string>;
  /** ARN of the alarm on healed changes. */
  public readonly alarmArn: pulumi.Output<string>;

  public constructor(name: string, args: ReconcileScheduleArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(RECONCILE_SCHEDULE_TYPE, name, {}, opts);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-reconcile`,
      {
        description: `Every ${args.intervalMinutes} min: heal what no event published under ${args.prefix}`,
        scheduleExpression: rateExpression(args.intervalMinutes),
        state: "ENABLED",
        tags: args.tags,
      },
      { parent: this },
    );
    const permission = new aws.lambda.Permission(
      `${name}-reconcile`,
      {
        action: "lambda:InvokeFunction",
        function: args.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-reconcile`,
      {
        rule: rule.name,
        arn: args.functionArn,
        input: JSON.stringify(RECONCILE_REQUEST),
        // A sweep that cannot run is replaced by the next one: no retries past one period.
        retryPolicy: { maximumEventAgeInSeconds: Math.max(60, args.intervalMinutes * 60), maximumRetryAttempts: 0 },
      },
      { parent: this, dependsOn: [permission] },
    );
    const alarm = firstOccurrenceAlarm(
      `${name}-reconciled`,
      {
        description:
          `The reconciler published changes under ${args.prefix} that no change event had: ` +
          "events are lost or failing (the instances were healed)",
        namespace: DEFAULT_METRICS_NAMESPACE,
        metricName: REFRESH_METRICS.reconciled,
        // The function's own `service` (it sets it per pipeline), so another pipeline's sweep never fires this one.
        dimensions: { service: pipelineServiceName(args.prefix) },
        statistic: "Sum",
        period: Math.max(60, args.intervalMinutes * 60),
        ...(args.alarmTopicArn !== undefined ? { alarmTopicArn: args.alarmTopicArn } : {}),
        tags: args.tags,
      },
      { parent: this },
    );
    this.ruleArn = rule.arn;
    this.alarmArn = alarm.arn;
    this.registerOutputs({ ruleArn: this.ruleArn, alarmArn: this.alarmArn });
  }
}
