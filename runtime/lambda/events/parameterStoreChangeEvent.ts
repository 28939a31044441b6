import { z } from "zod";
import { CHANGE_OPERATIONS, PARAMETER_TYPES, type ChangeOperation, type ParameterType } from "../../protocol";

/** The `detail-type` of the events Parameter Store sends to EventBridge for a write. */
export const PARAMETER_STORE_CHANGE = "Parameter Store Change";

/**
 * A "Parameter Store Change" event, reduced to what the function uses. The event is only a hint
 * ("look at this name"): the function reads the parameter's current state, never trusts the event's.
 */
export interface ParameterStoreChange {
  /** EventBridge event id. */
  eventId: string;
  /** Full parameter name from `detail.name`. */
  name: string;
  operation: ChangeOperation;
  /** `detail.type`, when the event carries it (a Delete may not). */
  type?: ParameterType;
  /** The event's `time`, epoch ms (EventBridge gives whole seconds). */
  time: number;
  /** Where the event was in the input, for log lines: `event`, `record[3] (SQS message …)`. */
  source: string;
}

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), "is not an ISO 8601 time");

/**
 * The fields the function relies on. `source` is not checked: the rule already filters on
 * `aws.ssm`, and the local pipeline or a replay may send the same shape from elsewhere; since the
 * current state is read from Parameter Store, a forged event can cause at most a redundant read.
 */
const eventSchema = z.object({
  id: z.string().min(1),
  "detail-type": z.literal(PARAMETER_STORE_CHANGE),
  time: isoTime,
  detail: z.object({
    name: z.string().min(1),
    operation: z.string().refine((op) => (CHANGE_OPERATIONS as readonly string[]).includes(op), {
      message: `is not one of ${CHANGE_OPERATIONS.join(", ")}`,
    }),
    type: z
      .string()
      .refine((t) => (PARAMETER_TYPES as readonly string[]).includes(t), {
        message: `is not one of ${PARAMETER_TYPES.join(", ")}`,
      })
      .optional(),
  }),
});

/** True when `value` looks like an EventBridge event (of any kind). */
export function looksLikeEventBridgeEvent(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "detail-type" in value;
}

/**
 * Validates one EventBridge event as a Parameter Store change. Returns the change, or a sentence
 * saying what is wrong (never the whole event, which could be large).
 */
export function parseParameterStoreChange(value: unknown, source: string): ParameterStoreChange | { error: string } {
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "event"} ${issue.message}`);
    return { error: `not a valid "${PARAMETER_STORE_CHANGE}" event: ${issues.join("; ")}` };
  }
  const { id, time, detail } = parsed.data;
  return {
    eventId: id,
    name: detail.name,
    operation: detail.operation as ChangeOperation,
    ...(detail.type !== undefined ? { type: detail.type as ParameterType } : {}),
    time: Date.parse(time),
    source,
  };
}
