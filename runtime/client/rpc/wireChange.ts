import { z } from "zod";
import {
  CHANGE_OPERATIONS,
  MAX_MESSAGE_NAME_LENGTH,
  MAX_MESSAGE_VALUE_BYTES,
  PARAMETER_TYPES,
  type ParameterChange,
  type WireParameterChange,
} from "../../protocol";

/** The latest time a JavaScript Date holds, epoch ms (a later one cannot be written as ISO 8601 in an ack). */
export const MAX_TIME_MS = 8.64e15;

const wireChangeSchema = z
  .object({
    name: z.string().startsWith("/", "must be a full SSM name").max(MAX_MESSAGE_NAME_LENGTH),
    operation: z.enum(CHANGE_OPERATIONS as readonly [string, ...string[]]),
    version: z.number().int().nonnegative(),
    type: z.enum(PARAMETER_TYPES as readonly [string, ...string[]]),
    // proto3 sends "" for an unset string on some stacks: "" is no value (SSM values are never empty).
    value: z
      .string()
      .optional()
      .transform((value) => (value === "" ? undefined : value)),
    modifiedAtMs: z.number().int().positive().max(MAX_TIME_MS),
    changedAtMs: z.number().int().nonnegative().max(MAX_TIME_MS),
    // proto3 "" is no id, as for the value.
    streamId: z
      .string()
      .optional()
      .transform((id) => (id === "" ? undefined : id))
      .refine((id) => id === undefined || /^\d+-\d+$/.test(id), "must be a stream id such as 1700000000000-0"),
  })
  .superRefine((change, ctx) => {
    if (change.operation === "Delete" || change.type === "SecureString") {
      if (change.value !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["value"],
          message: `a ${change.operation === "Delete" ? "Delete" : "SecureString"} change never carries a value`,
        });
    } else if (change.value === undefined) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `a ${change.type} change must carry its value` });
    } else if (Buffer.byteLength(change.value, "utf8") > MAX_MESSAGE_VALUE_BYTES) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `value over ${MAX_MESSAGE_VALUE_BYTES} bytes` });
    }
  });

/**
 * Reads one change of a `Refresh` call with the same rules as a stream entry. Never throws; the
 * detail names the fields, never a value.
 */
export function parseWireChange(
  wire: WireParameterChange,
): { ok: true; change: ParameterChange; streamId?: string } | { ok: false; detail: string } {
  const parsed = wireChangeSchema.safeParse(wire);
  if (!parsed.success)
    return {
      ok: false,
      detail: parsed.error.issues.map((issue) => `${issue.path.join(".") || "change"}: ${issue.message}`).join("; "),
    };
  const { name, operation, version, type, value, modifiedAtMs, changedAtMs, streamId } = parsed.data;
  return {
    ok: true,
    ...(streamId !== undefined ? { streamId } : {}),
    change: {
      name,
      operation: operation as ParameterChange["operation"],
      version,
      type: type as ParameterChange["type"],
      ...(value !== undefined ? { value } : {}),
      modifiedAt: modifiedAtMs,
      changedAt: changedAtMs,
    },
  };
}
