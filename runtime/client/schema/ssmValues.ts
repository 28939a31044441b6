import { z } from "zod";

/** The two SSM texts a boolean may be, exactly: the one rule `ssmBoolean` and the OpenFeature provider share. */
export const SSM_BOOLEAN_TEXTS = ["true", "false"] as const;

/** The boolean `text` stands for, or undefined when it is not exactly one of {@link SSM_BOOLEAN_TEXTS}. */
export function parseSsmBoolean(text: string): boolean | undefined {
  return text === "true" ? true : text === "false" ? false : undefined;
}

/**
 * A boolean stored as the SSM string `"true"` or `"false"` (exactly; `"yes"`, `"1"` or `"True"`
 * are refused, so a typo in the console is caught instead of read as false).
 *
 * @example
 * ```ts
 * const schema = { "features/new_checkout": ssmBoolean() };
 * ```
 */
export function ssmBoolean() {
  return z
    .enum(SSM_BOOLEAN_TEXTS, { error: 'must be "true" or "false"' })
    .transform((text) => parseSsmBoolean(text) === true);
}

/** Bounds of {@link ssmInteger}. */
export interface IntegerBounds {
  min?: number;
  max?: number;
}

/**
 * A whole number stored as an SSM string (`"5000"`), optionally bounded. Refuses `"5e3"`, `"50.5"`,
 * `" 50"` and numbers beyond `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * ```ts
 * const schema = { "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }) };
 * ```
 */
export function ssmInteger(bounds: IntegerBounds = {}) {
  let number = z.number().int().refine(Number.isSafeInteger, "must be a safe integer");
  if (bounds.min !== undefined) number = number.min(bounds.min);
  if (bounds.max !== undefined) number = number.max(bounds.max);
  return z
    .string()
    .regex(/^-?\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(number);
}

/**
 * A StringList (SSM returns it joined by commas) as an array of its items, each checked by `item`
 * (default: non-empty text).
 *
 * @example
 * ```ts
 * const schema = { "cors/allowed_origins": ssmList(z.url()) };
 * ```
 */
export function ssmList<T extends z.ZodType<unknown, string> = z.ZodString>(item?: T) {
  const itemSchema = item ?? z.string().min(1, "a list item is empty");
  return z
    .string()
    .transform((text) => text.split(","))
    .pipe(z.array(itemSchema));
}
