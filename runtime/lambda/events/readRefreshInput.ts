import type { RejectedRecord } from "../types";
import {
  looksLikeEventBridgeEvent,
  parseParameterStoreChange,
  type ParameterStoreChange,
} from "./parameterStoreChangeEvent";

/** The changes found in one invocation's input, and the records that were not changes. */
export interface RefreshInput {
  changes: ParameterStoreChange[];
  rejected: RejectedRecord[];
}

/** How deep envelopes may nest (SQS record → destination record → event array → event). */
const MAX_DEPTH = 4;

/**
 * Reads what the function was invoked with, in every shape it arrives in:
 * - one EventBridge "Parameter Store Change" event (the rule's target);
 * - an array of them (a replay tool, the local pipeline);
 * - an SQS event whose bodies are such events (the rule's DLQ being replayed) or Lambda on-failure
 *   destination records `{requestContext, requestPayload: <event>, responseContext, responsePayload}`.
 *
 * Never throws: every record that is none of these is returned in `rejected` with the reason,
 * so one bad record never costs the others of the batch.
 *
 * @example
 * ```ts
 * const { changes, rejected } = readRefreshInput(sqsEvent);
 * ```
 */
export function readRefreshInput(input: unknown): RefreshInput {
  const result: RefreshInput = { changes: [], rejected: [] };
  collect(input, "event", 0, result);
  return result;
}

function collect(value: unknown, source: string, depth: number, into: RefreshInput): void {
  const reject = (reason: string): void => {
    into.rejected.push({ source, reason });
  };
  if (depth > MAX_DEPTH) {
    reject("envelopes nested too deep");
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collect(item, `${source}[${index}]`, depth + 1, into);
    });
    return;
  }
  if (typeof value !== "object" || value === null) {
    reject(`is ${value === null ? "null" : typeof value}, not an event`);
    return;
  }
  if (looksLikeEventBridgeEvent(value)) {
    const change = parseParameterStoreChange(value, source);
    if ("error" in change) {
      reject(change.error);
      return;
    }
    into.changes.push(change);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.Records)) {
    record.Records.forEach((item, index) => {
      collectSqsRecord(item, `record[${index}]`, depth + 1, into);
    });
    return;
  }
  if ("requestPayload" in record) {
    collect(record.requestPayload, `${source}.requestPayload`, depth + 1, into);
    return;
  }
  reject("is neither a Parameter Store Change event, an array of them, an SQS event nor a Lambda destination record");
}

function collectSqsRecord(item: unknown, where: string, depth: number, into: RefreshInput): void {
  const record = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
  const source = typeof record.messageId === "string" ? `${where} (SQS message ${record.messageId})` : where;
  if (typeof record.body !== "string") {
    into.rejected.push({ source, reason: "has no text body" });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    into.rejected.push({ source, reason: `body is not JSON (${record.body.length} characters)` });
    return;
  }
  collect(body, source, depth, into);
}
