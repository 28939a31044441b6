/**
 * SSM's refusal of a value that does not match the parameter's `AllowedPattern` (moto stores the
 * pattern and never checks it): the message SSM answers with, or undefined when the value passes.
 * The pattern is searched, as SSM does (its examples anchor it: `^\d+$`); it is a Java regular
 * expression there, run here as a JavaScript one, which agrees on the common syntax.
 *
 * @example
 * ```ts
 * allowedPatternRefusal("abc", "^\\d+$"); // "Parameter value, cannot be validated against allowedPattern: ^\d+$"
 * ```
 */
export function allowedPatternRefusal(value: string, pattern: string | undefined): string | undefined {
  if (pattern === undefined || pattern === "") return undefined;
  let expression: RegExp;
  try {
    expression = new RegExp(pattern, "u");
  } catch {
    return `Parameter AllowedPattern is not a valid regular expression: ${pattern}`;
  }
  return expression.test(value) ? undefined : `Parameter value, cannot be validated against allowedPattern: ${pattern}`;
}
