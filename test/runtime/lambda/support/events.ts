import { randomUUID } from "node:crypto";
import type { ChangeOperation, ParameterType } from "../../../../runtime/protocol";

/** A "Parameter Store Change" event as EventBridge delivers it (and as moto's SQS body carries it). */
export function changeEvent(
  name: string,
  operation: ChangeOperation,
  options: { type?: ParameterType; time?: Date; id?: string } = {},
): Record<string, unknown> {
  return {
    version: "0",
    id: options.id ?? randomUUID(),
    "detail-type": "Parameter Store Change",
    source: "aws.ssm",
    account: "123456789012",
    time: (options.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "us-east-1",
    resources: [`arn:aws:ssm:us-east-1:123456789012:parameter${name}`],
    detail: { operation, name, type: options.type ?? "String", description: "" },
  };
}

/** An SQS event whose records carry `bodies` (a DLQ replay). */
export function sqsEvent(bodies: string[]): Record<string, unknown> {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `m-${index}`,
      receiptHandle: "r",
      body,
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:dlq",
      awsRegion: "us-east-1",
    })),
  };
}

/** The body of a Lambda on-failure destination record for `event`. */
export function destinationRecord(event: unknown): Record<string, unknown> {
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: "arn:aws:lambda:us-east-1:123456789012:function:refresh",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: "StreamPublishError", errorMessage: "cannot publish" },
  };
}

/** A small deterministic pseudo-random generator (tests must be repeatable). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
