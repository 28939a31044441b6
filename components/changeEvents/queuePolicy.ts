import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The dead-letter queue's resource policy: only EventBridge, and only for the refresh rule
 * (`aws:SourceArn`), may send; nothing may use the queue without TLS. The function's
 * on-failure destination writes with the function's role, which needs no grant here.
 *
 * @example
 * ```ts
 * new aws.sqs.QueuePolicy("dlq", {
 *   queueUrl: queue.url,
 *   policy: pulumi.jsonStringify(deadLetterQueuePolicy(queue.arn, rule.arn)),
 * });
 * ```
 */
export function deadLetterQueuePolicy(
  queueArn: pulumi.Input<string>,
  ruleArn: pulumi.Input<string>,
): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RefreshRuleDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
      {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
