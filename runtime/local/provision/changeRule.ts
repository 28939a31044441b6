import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { parameterChangeEventPattern } from "../../../components/changeEvents/eventPattern";
import { LocalPipelineError } from "../errors";

/** The rule, its queue and the dead-letter queue. */
export interface ChangeRule {
  ruleArn: string;
  /** The queue the rule delivers to (the local stand-in for the refresh function target). */
  queueUrl: string;
  queueArn: string;
  /** Where events go once the invoker's retries are spent. */
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** Id of the rule's target. */
export const INVOKER_TARGET_ID = "config-refresh-invoker";
/** How long a received event stays hidden from other receivers: longer than the invoker's whole retry budget. */
export const EVENT_VISIBILITY_TIMEOUT_SECONDS = 120;
/** The component's longest dead-letter retention (SQS's limit). */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 86_400;

/**
 * Creates (or updates, idempotently) the EventBridge rule of the component, with the component's
 * own pattern ({@link parameterChangeEventPattern}), and an SQS queue as its target in place of the
 * refresh function, plus the dead-letter queue. The queue policy lets only this rule send.
 *
 * The target carries an input transformer whose template is `<aws.events.event.json>`, the whole
 * event: EventBridge delivers exactly what it would hand a Lambda target. moto needs it for two
 * reasons: its default template drops `account`, and it builds eight JSONPath parsers per delivery
 * (about 110 ms an event); one path keeps delivery near 15 ms.
 *
 * @example
 * ```ts
 * const rule = await ensureChangeRule(eventBridge, sqs, {
 *   prefix: "/shop/beta/",
 *   ruleName,
 *   eventQueueName,
 *   deadLetterQueueName,
 * });
 * ```
 */
export async function ensureChangeRule(
  eventBridge: EventBridgeClient,
  sqs: SQSClient,
  names: { prefix: string; ruleName: string; eventQueueName: string; deadLetterQueueName: string },
): Promise<ChangeRule> {
  const pattern = parameterChangeEventPattern(names.prefix);
  const [queue, deadLetter] = await Promise.all([
    createQueue(sqs, names.eventQueueName, { VisibilityTimeout: String(EVENT_VISIBILITY_TIMEOUT_SECONDS) }),
    createQueue(sqs, names.deadLetterQueueName, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS) }),
  ]);
  const { RuleArn: ruleArn } = await eventBridge.send(
    new PutRuleCommand({
      Name: names.ruleName,
      EventPattern: JSON.stringify(pattern),
      State: "ENABLED",
      Description: `Parameter Store changes under ${names.prefix} → config-refresh (local pipeline)`,
    }),
  );
  if (!ruleArn) throw new LocalPipelineError(`EventBridge created rule ${names.ruleName} without an ARN`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.url,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ParameterChangeRule",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queue.arn,
              Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
            },
          ],
        }),
      },
    }),
  );
  const targets = await eventBridge.send(
    new PutTargetsCommand({
      Rule: names.ruleName,
      Targets: [
        {
          Id: INVOKER_TARGET_ID,
          Arn: queue.arn,
          InputTransformer: { InputPathsMap: { name: "$.detail.name" }, InputTemplate: "<aws.events.event.json>" },
        },
      ],
    }),
  );
  if ((targets.FailedEntryCount ?? 0) > 0) {
    const failed = targets.FailedEntries?.[0];
    throw new LocalPipelineError(
      (
        `EventBridge refused the queue as the target of ${names.ruleName}: ` +
        `${failed?.ErrorCode ?? ""} ${failed?.ErrorMessage ?? ""}`
      ).trim(),
    );
  }
  return {
    ruleArn,
    queueUrl: queue.url,
    queueArn: queue.arn,
    deadLetterQueueUrl: deadLetter.url,
    deadLetterQueueArn: deadLetter.arn,
  };
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!url) throw new LocalPipelineError(`SQS created queue ${name} without a URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new LocalPipelineError(`SQS answered no ARN for queue ${name}`);
  return { url, arn };
}
