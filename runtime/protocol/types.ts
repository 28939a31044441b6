/** What happened to a parameter, as Parameter Store names it in its change events. */
export type ChangeOperation = "Create" | "Update" | "Delete" | "LabelParameterVersion";

/** Parameter Store's parameter types. */
export type ParameterType = "String" | "StringList" | "SecureString";

/** Every operation, for validation. */
export const CHANGE_OPERATIONS: readonly ChangeOperation[] = ["Create", "Update", "Delete", "LabelParameterVersion"];
/** Every parameter type, for validation. */
export const PARAMETER_TYPES: readonly ParameterType[] = ["String", "StringList", "SecureString"];

/**
 * One changed parameter: what the stream message and the `Refresh` RPC both carry.
 *
 * @example
 * ```ts
 * const change: ParameterChange = {
 *   name: "/shop/beta/log_level", operation: "Update", version: 7, type: "String", value: "debug",
 *   modifiedAt: Date.parse("2026-11-25T12:00:00.120Z"), changedAt: Date.parse("2026-11-25T12:00:00Z"),
 * };
 * ```
 */
export interface ParameterChange {
  /** Full SSM name. */
  name: string;
  operation: ChangeOperation;
  /** SSM version; for a Delete, the last version published. */
  version: number;
  type: ParameterType;
  /** The value for String and StringList; undefined for SecureString (read it from SSM) and Delete. */
  value?: string;
  /**
   * SSM's LastModifiedDate (for a Delete, the deletion event's time), epoch ms. Orders a re-created
   * parameter after its deleted one.
   */
  modifiedAt: number;
  /** Time of the change event, epoch ms. */
  changedAt: number;
}

/** A change as published on the Redis stream (format v1). */
export interface StreamMessage extends ParameterChange {
  /** Format version of the message. */
  format: 1;
  /** When the refresh Lambda published it, epoch ms. */
  publishedAt: number;
  /** The EventBridge event id that caused it, when known. */
  eventId?: string;
  /**
   * Id of the stream entry just before this one when it was written (`0-0` on an empty stream).
   * Written by the refresh Lambda's publish script, not by `buildStreamFields`: a reader whose last
   * id equals it knows no entry in between was trimmed or lost.
   */
  previousId?: string;
}
