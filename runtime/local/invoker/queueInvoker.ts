import { describeError } from "../../common/errors";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { RefreshHandler } from "../../lambda/createRefreshHandler";
import type { RefreshResult } from "../../lambda/types";
import { sqsEventOf } from "../../operator/handler/sqsEvent";
import { EVENT_VISIBILITY_TIMEOUT_SECONDS } from "../provision/changeRule";
import { onFailureRecord } from "./onFailureRecord";

/** Options of {@link QueueInvoker}. */
export interface QueueInvokerOptions {
  sqs: SQSClient;
  /** The queue the change rule delivers to. */
  queueUrl: string;
  queueArn: string;
  /** Where a batch goes once its attempts are spent. */
  deadLetterQueueUrl: string;
  region: string;
  handler: RefreshHandler;
  /**
   * Invocations of one batch before it is dead-lettered: 1 + the retries (default 3, as Lambda's 2
   * asynchronous retries).
   */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each next one (default 200 ms). */
  retryDelayMs?: number;
  /**
   * Long-poll wait of one ReceiveMessage, 1–20 s (default 2; `stop()` waits for the poll in flight, at
   * most this long).
   */
  waitTimeSeconds?: number;
}

/** What happened to one batch of events. */
export interface InvocationRecord {
  /** 1, 2, ... in the order batches were received. */
  sequence: number;
  /** The SQS message ids of the batch. */
  messageIds: string[];
  /** Invocations made (1 when the first one succeeded). */
  attempts: number;
  startedAt: number;
  finishedAt: number;
  /** `succeeded`: deleted from the queue; `dead-lettered`: every attempt threw, the events are in the DLQ. */
  outcome: "succeeded" | "dead-lettered";
  /** The handler's result, when it succeeded. */
  result?: RefreshResult;
  /** The last error, when it did not. */
  error?: string;
}

/** Records kept for {@link QueueInvoker.records} (the oldest are dropped). */
const MAX_RECORDS = 1_000;
/** Pause after a failed ReceiveMessage (the queue endpoint down), so the loop does not spin. */
const POLL_ERROR_PAUSE_MS = 1_000;

/**
 * Delivers the change rule's events to the real refresh handler, as EventBridge delivers them to
 * the function in AWS: long-polls the rule's queue and invokes the handler with each batch the
 * queue returns (an SQS event). When the handler throws (SSM or Redis unavailable), it retries with
 * exponential backoff up to `maxAttempts`, then writes each event to the dead-letter queue as
 * Lambda's on-failure destination does. A batch is deleted from the queue only after it succeeded
 * or was dead-lettered. This retry-and-DLQ part exists because emulators store a target's retry
 * policy and DLQ without applying them.
 *
 * One batch at a time (one function instance); `stop()` lets the poll in flight return (at most
 * `waitTimeSeconds`), hands back what it received, and waits for the batch in hand.
 *
 * @example
 * ```ts
 * const invoker = new QueueInvoker({ sqs, queueUrl, queueArn, deadLetterQueueUrl, region, handler });
 * invoker.onInvocation((record) => console.log(record.outcome, record.result?.published.length));
 * invoker.start();
 * await invoker.stop();
 * ```
 */
export class QueueInvoker {
  private readonly history: InvocationRecord[] = [];
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  private readonly errorListeners = new Set<(error: unknown) => void>();
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private sequence = 0;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly waitTimeSeconds: number;

  public constructor(private readonly options: QueueInvokerOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.waitTimeSeconds = Math.min(20, Math.max(1, options.waitTimeSeconds ?? 2));
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new RangeError(`maxAttempts must be a whole number ≥ 1, got ${options.maxAttempts}`);
  }

  /** Starts polling (no-op when already started). */
  public start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Stops polling: the poll in flight returns its messages to the queue; waits for the batch in hand to finish. */
  public async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** The last batches handled, oldest first. */
  public get records(): readonly InvocationRecord[] {
    return this.history;
  }

  /** Calls `listener` after each batch; returns a function that unsubscribes. */
  public onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` when the queue cannot be read (it keeps trying); returns a function that unsubscribes. */
  public onPollError(listener: (error: unknown) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /**
   * Resolves with the first record (already handled or to come) that `predicate` accepts, or
   * `undefined` after `timeoutMs`.
   */
  public waitFor(
    predicate: (record: InvocationRecord) => boolean,
    timeoutMs: number,
  ): Promise<InvocationRecord | undefined> {
    const seen = this.history.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(undefined);
      }, timeoutMs);
      const unsubscribe = this.onInvocation((record) => {
        if (!predicate(record)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(record);
      });
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        // Not aborted on stop: an emulator keeps an abandoned long poll open and hands the next message to
        // the closed connection, hiding it for the visibility timeout. The poll ends by itself instead.
        const answer = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.waitTimeSeconds,
            VisibilityTimeout: EVENT_VISIBILITY_TIMEOUT_SECONDS,
            MessageSystemAttributeNames: ["All"],
          }),
        );
        messages = answer.Messages ?? [];
        if (signal.aborted) {
          await this.release(messages);
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        this.errorListeners.forEach((listener) => {
          listener(error);
        });
        await sleep(POLL_ERROR_PAUSE_MS, signal);
        continue;
      }
      if (messages.length > 0) await this.invoke(messages, signal);
    }
  }

  /** Makes messages received while stopping visible again at once, for whoever polls next. */
  private async release(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? "",
            VisibilityTimeout: 0,
          })),
        }),
      );
    } catch (error) {
      // They come back after the visibility timeout anyway; nothing is lost.
      this.errorListeners.forEach((listener) => {
        listener(error);
      });
    }
  }

  /** Invokes the handler with one batch, retrying; then deletes it (or dead-letters it first). */
  private async invoke(messages: Message[], signal: AbortSignal): Promise<void> {
    const record: InvocationRecord = {
      sequence: ++this.sequence,
      messageIds: messages.map((m) => m.MessageId ?? ""),
      attempts: 0,
      startedAt: Date.now(),
      finishedAt: 0,
      outcome: "succeeded",
    };
    const event = sqsEventOf(messages, this.options.queueArn, this.options.region);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      record.attempts = attempt;
      try {
        record.result = await this.options.handler(event);
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error;
        // Stopping mid-retry leaves the batch in the queue: it becomes visible again, nothing is lost.
        if (attempt < this.maxAttempts && !(await sleep(this.retryDelayMs * 2 ** (attempt - 1), signal))) return;
      }
    }
    if (lastError !== undefined) {
      record.outcome = "dead-lettered";
      record.error = describeError(lastError);
      try {
        for (const message of messages) {
          await this.options.sqs.send(
            new SendMessageCommand({
              QueueUrl: this.options.deadLetterQueueUrl,
              MessageBody: JSON.stringify(onFailureRecord(parseBody(message.Body), lastError, record.attempts)),
            }),
          );
        }
      } catch (error) {
        // Not dead-lettered: leave the batch in the queue, it is received again once visible.
        this.errorListeners.forEach((listener) => {
          listener(error);
        });
        return;
      }
    }
    try {
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? "",
          })),
        }),
      );
    } catch (error) {
      // Received again once visible; the handler is idempotent per revision.
      this.errorListeners.forEach((listener) => {
        listener(error);
      });
    }
    record.finishedAt = Date.now();
    this.history.push(record);
    if (this.history.length > MAX_RECORDS) this.history.splice(0, this.history.length - MAX_RECORDS);
    this.listeners.forEach((listener) => {
      listener(record);
    });
  }
}

function parseBody(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? "");
  } catch {
    return body ?? "";
  }
}

/** Waits `ms`; resolves false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
