import type { z } from "zod";

/** The result of {@link validateValue}. */
export type ValidatedValue = { ok: true; value: unknown } | { ok: false; detail: string };

/**
 * Runs one key's schema on an SSM value (`undefined` when the parameter is absent). Never throws:
 * a schema that throws or needs async refinements comes back as a refusal. The detail carries the
 * schema's messages, never the value.
 */
export function validateValue(schema: z.ZodType, raw: string | undefined): ValidatedValue {
  try {
    const result = schema.safeParse(raw);
    if (result.success) return { ok: true, value: deepFreeze(result.data) };
    return {
      ok: false,
      detail: result.error.issues
        .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
        .join("; "),
    };
  } catch (error) {
    return { ok: false, detail: `the schema failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Freezes plain objects and arrays, recursively, so a held value cannot be changed by a reader. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return value;
  Object.freeze(value);
  for (const item of Object.values(value as Record<string, unknown>)) deepFreeze(item);
  return value;
}
