import { describeError } from "../../common/errors";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { RefreshHandler } from "../../lambda/createRefreshHandler";
import type { RefreshResult } from "../../lambda/types";
import { sqsEventOf } from "./sqsEvent";

/** What replaying one dead letter did. */
export interface ReplayOutcome {
  messageId: string;
  /**
   * - `replayed`: the handler ran without error; the message was deleted from the DLQ;
   * - `not-a-change`: the body holds no Parameter Store change the handler can read; left in the DLQ for a person;
   * - `failed`: the handler threw (SSM or Redis unavailable); left in the DLQ, visible again at once.
   */
  status: "replayed" | "not-a-change" | "failed";
  /** Names the message was about, when it could be read. */
  names: string[];
  result?: RefreshResult;
  /** Why it was not replayed. */
  error?: string;
  /**
   * True when the message could not be deleted after its replay (it will be replayed again; harmless,
   * the handler is idempotent).
   */
  deleteFailed?: boolean;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  /** ARN and region of the DLQ, for the SQS event given to the handler. */
  deadLetterQueueArn: string;
  region: string;
  handler: RefreshHandler;
  /** Most messages replayed in one run (default 100). */
  maxMessages?: number;
  /** Called after each message. */
  onOutcome?(outcome: ReplayOutcome): void;
}

/** Hidden from other readers while this run holds them; failures are made visible again at the end. */
const REPLAY_VISIBILITY_SECONDS = 300;

/**
 * Re-drives the dead-letter queue's messages through the refresh handler, one message per
 * invocation, so each is reported on its own. A message is deleted only after its replay
 * succeeded; one that failed, or that holds no change, stays in the queue (made visible again at
 * the end of the run). Reads both shapes the component's DLQ receives: the event itself
 * (EventBridge's dead letters) and Lambda's on-failure record (`requestPayload`).
 *
 * @example
 * ```ts
 * const outcomes = await replayDeadLetters({ sqs, deadLetterQueueUrl, deadLetterQueueArn, region, handler });
 * outcomes.filter((o) => o.status !== "replayed");
 * ```
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayOutcome[]> {
  const maxMessages = options.maxMessages ?? 100;
  const outcomes: ReplayOutcome[] = [];
  const seen = new Set<string>();
  const toRelease: Message[] = [];
  try {
    while (outcomes.length < maxMessages) {
      const { Messages: messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          MaxNumberOfMessages: Math.min(10, maxMessages - outcomes.length),
          WaitTimeSeconds: 1,
          VisibilityTimeout: REPLAY_VISIBILITY_SECONDS,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      const fresh = messages.filter((message) => !seen.has(message.MessageId ?? ""));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? "");
        const outcome = await replayOne(options, message);
        if (outcome.status !== "replayed") toRelease.push(message);
        outcomes.push(outcome);
        options.onOutcome?.(outcome);
      }
    }
  } finally {
    for (const message of toRelease) {
      await options.sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: options.deadLetterQueueUrl,
            ReceiptHandle: message.ReceiptHandle ?? "",
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => undefined);
    }
  }
  return outcomes;
}

async function replayOne(options: ReplayOptions, message: Message): Promise<ReplayOutcome> {
  const messageId = message.MessageId ?? "";
  let result: RefreshResult;
  try {
    result = await options.handler(sqsEventOf([message], options.deadLetterQueueArn, options.region));
  } catch (error) {
    return { messageId, status: "failed", names: [], error: describeError(error) };
  }
  const names = [...new Set([...result.published.map((c) => c.name), ...result.skipped.map((s) => s.name)])];
  if (names.length === 0) {
    return {
      messageId,
      status: "not-a-change",
      names,
      result,
      error: result.rejected.map((r) => r.reason).join("; ") || "the message holds no Parameter Store change",
    };
  }
  try {
    await options.sqs.send(
      new DeleteMessageCommand({ QueueUrl: options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle ?? "" }),
    );
    return { messageId, status: "replayed", names, result };
  } catch {
    return { messageId, status: "replayed", names, result, deleteFailed: true };
  }
}
