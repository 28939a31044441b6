import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parameterChangeEventPattern } from "./eventPattern";
import { deadLetterQueuePolicy } from "./queuePolicy";

/** Type token of {@link ParameterChangeEvents}. */
export const PARAMETER_CHANGE_EVENTS_TYPE = "config-refresh-pipeline:changeEvents:ParameterChangeEvents";

/** Arguments of {@link ParameterChangeEvents} (defaults already applied by the pipeline). */
export interface ParameterChangeEventsArgs {
  /** `/<app>/<env>/`: only changes under it fire the rule. */
  prefix: string;
  /** The refresh function (target). */
  functionArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  /** The dead-letter queue (EventBridge's dead-letter target). */
  deadLetterQueue: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
  /** How long EventBridge keeps retrying delivery (60–86400 s). */
  maximumEventAgeInSeconds: number;
  /** EventBridge's delivery retries (0–185). */
  maximumRetryAttempts: number;
  /** Tags of every resource. */
  tags: Record<string, string>;
}

/**
 * The EventBridge rule that turns a Parameter Store change under the prefix into an invocation of
 * the refresh function: rule (pattern from {@link parameterChangeEventPattern}), target with
 * retry policy and dead-letter queue, the function's permission for this rule only, and the
 * queue policy letting this rule alone send dead letters.
 *
 * @example
 * ```ts
 * const events = new ParameterChangeEvents("shop-beta", { prefix: "/shop/beta/", functionArn, functionName,
 *   deadLetterQueue: { arn: dlq.queueArn, url: dlq.queueUrl },
 *   maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 24, tags: {} });
 * ```
 */
export class ParameterChangeEvents extends pulumi.ComponentResource {
  /** ARN of the rule (the queue policy's and the permission's source). */
  public readonly ruleArn: pulumi.Output<string>;
  /** Name of the rule. */
  public readonly ruleName: pulumi.Output<string>;

  public constructor(name: string, args: ParameterChangeEventsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(PARAMETER_CHANGE_EVENTS_TYPE, name, {}, opts);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-parameter-change`,
      {
        description: `Parameter Store changes under ${args.prefix} → config-refresh function`,
        eventPattern: JSON.stringify(parameterChangeEventPattern(args.prefix)),
        state: "ENABLED",
        tags: args.tags,
      },
      { parent: this },
    );
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-dlq`,
      {
        queueUrl: args.deadLetterQueue.url,
        policy: pulumi.jsonStringify(deadLetterQueuePolicy(args.deadLetterQueue.arn, rule.arn)),
      },
      { parent: this },
    );
    const permission = new aws.lambda.Permission(
      `${name}-parameter-change`,
      {
        action: "lambda:InvokeFunction",
        function: args.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-parameter-change`,
      {
        rule: rule.name,
        arn: args.functionArn,
        retryPolicy: {
          maximumEventAgeInSeconds: args.maximumEventAgeInSeconds,
          maximumRetryAttempts: args.maximumRetryAttempts,
        },
        deadLetterConfig: { arn: args.deadLetterQueue.arn },
      },
      { parent: this, dependsOn: [permission, queuePolicy] },
    );
    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.registerOutputs({ ruleArn: this.ruleArn, ruleName: this.ruleName });
  }
}
