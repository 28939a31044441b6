import type { Message } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";

/**
 * The SQS event a Lambda receives for a batch of messages (the shape the refresh handler reads:
 * `Records[].body`), built from what `ReceiveMessage` returned.
 *
 * @example
 * ```ts
 * const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
 * await refresh(sqsEventOf(Messages, queueArn, "us-east-1"));
 * ```
 */
export function sqsEventOf(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map(
      (message): SQSRecord => ({
        messageId: message.MessageId ?? "",
        receiptHandle: message.ReceiptHandle ?? "",
        body: message.Body ?? "",
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
          SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: message.Attributes?.SenderId ?? "",
          ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? "",
        eventSource: "aws:sqs",
        eventSourceARN: queueArn,
        awsRegion: region,
      }),
    ),
  };
}
