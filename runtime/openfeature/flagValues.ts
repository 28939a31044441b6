import { ErrorCode, type JsonValue } from "@openfeature/server-sdk";
import { parseSsmBoolean } from "../client/schema/ssmValues";

/** A parameter's text read as one flag type: the value, or why it is not of that type. */
export type FlagValue<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errorCode: FlagValueError; readonly reason: string };

/** The error codes a value of the wrong type resolves with. */
export type FlagValueError = ErrorCode.TYPE_MISMATCH | ErrorCode.PARSE_ERROR;

/** A decimal number as JSON writes it (`42`, `-0.5`, `1e3`): no blank, no `0x`, no `Infinity`. */
const DECIMAL_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Text that sets out to be a JSON object or array: a malformed one is a PARSE_ERROR, not a mismatch. */
const JSON_STRUCTURE_START = /^\s*[[{]/;

/**
 * A boolean flag: exactly `"true"` or `"false"`, the rule `ssmBoolean()` applies (so `"True"` or
 * `"1"` is a type mismatch rather than a silent false).
 */
export function booleanFlag(text: string): FlagValue<boolean> {
  const value = parseSsmBoolean(text);
  if (value !== undefined) return { ok: true, value };
  return mismatch('is not a boolean: the SSM value must be "true" or "false"');
}

/** A number flag: a finite decimal number as JSON writes it. */
export function numberFlag(text: string): FlagValue<number> {
  const value = DECIMAL_NUMBER.test(text) ? Number(text) : Number.NaN;
  if (Number.isFinite(value)) return { ok: true, value };
  return mismatch("is not a number: the SSM value must be a finite decimal number such as 42 or 0.5");
}

/**
 * An object flag: the text parsed as a JSON object or array, deeply frozen (every evaluation hands
 * out the same value). A JSON scalar, or text that is not JSON, is a type mismatch; text that opens
 * an object or array and does not parse is a parse error.
 */
export function objectFlag(text: string): FlagValue<JsonValue> {
  if (!JSON_STRUCTURE_START.test(text)) return mismatch("is not a JSON object or array");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: the value stays out of the message.
    return { ok: false, errorCode: ErrorCode.PARSE_ERROR, reason: "opens a JSON object or array but is not JSON" };
  }
  return { ok: true, value: deepFreeze(value as JsonValue) };
}

function mismatch(reason: string): FlagValue<never> {
  return { ok: false, errorCode: ErrorCode.TYPE_MISMATCH, reason };
}

function deepFreeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
