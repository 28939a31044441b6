/**
 * Parameter Store's own limits, checked offline so a pull request fails before `pulumi up` does.
 * Source: the PutParameter API reference and "Requirements and constraints for parameter names".
 */

/** Longest fully qualified parameter name SSM accepts. */
export const MAX_NAME_LENGTH = 1011;
/** Deepest hierarchy SSM accepts (`/a/b/c` is 3 levels). */
export const MAX_HIERARCHY_LEVELS = 15;
/** Largest value of a Standard parameter, in UTF-8 bytes. */
export const MAX_STANDARD_VALUE_BYTES = 4096;
/** Largest value of an Advanced (or Intelligent-Tiering) parameter, in UTF-8 bytes. */
export const MAX_ADVANCED_VALUE_BYTES = 8192;
/** Longest description SSM accepts. */
export const MAX_DESCRIPTION_LENGTH = 1024;
/** Longest allowed pattern SSM accepts. */
export const MAX_ALLOWED_PATTERN_LENGTH = 1024;

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
const RESERVED_START = /^(aws|ssm)/i;

/** Largest value in bytes for a tier. */
export function maxValueBytes(tier: string): number {
  return tier === "Standard" ? MAX_STANDARD_VALUE_BYTES : MAX_ADVANCED_VALUE_BYTES;
}

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

/** Problems with one path segment (between slashes), or `[]`. */
export function segmentProblems(segment: string): string[] {
  if (segment === "") return ["has an empty path segment (two slashes, or a slash at an end)"];
  if (!SEGMENT.test(segment)) {
    return [`segment "${segment}" has characters SSM refuses (allowed: letters, digits, _ . -)`];
  }
  return [];
}

/**
 * Problems with a fully qualified name (`/shop/beta/http/timeout_ms`), or `[]`: characters,
 * length, depth, and the reserved `aws`/`ssm` start.
 */
export function fullNameProblems(name: string): string[] {
  const problems: string[] = [];
  const segments = name.replace(/^\//, "").split("/");
  for (const segment of segments) problems.push(...segmentProblems(segment));
  if (RESERVED_START.test(segments[0] ?? "")) {
    problems.push(`names may not start with "aws" or "ssm" (SSM reserves them)`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    problems.push(`full name is ${name.length} characters, SSM allows ${MAX_NAME_LENGTH}`);
  }
  if (segments.length > MAX_HIERARCHY_LEVELS) {
    problems.push(`full name is ${segments.length} levels deep, SSM allows ${MAX_HIERARCHY_LEVELS}`);
  }
  return problems;
}

/**
 * Problems with a stack prefix such as `/shop/beta/`, or `[]`. A prefix starts and ends with `/`.
 */
export function prefixProblems(prefix: string): string[] {
  if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length < 3) {
    return [`prefix "${prefix}" must look like "/<app>/<env>/" (leading and trailing slash)`];
  }
  return fullNameProblems(prefix.slice(0, -1)).map((p) => `prefix "${prefix}": ${p}`);
}

/**
 * Problems with the name of a SecureString the pipeline generates (a token), or `[]`: a full, valid
 * SSM name that lies outside the parameter `prefix`, so the change rule does not fire on it and
 * clients do not load it as configuration. `label` names the setting in each problem.
 */
export function secretParameterNameProblems(label: string, name: string, prefix: string): string[] {
  if (typeof name !== "string" || !name.startsWith("/")) {
    return [`${label} must be a full parameter name starting with "/", got ${JSON.stringify(name)}`];
  }
  const problems = fullNameProblems(name).map((p) => `${label} ${JSON.stringify(name)}: ${p}`);
  if (name.startsWith(prefix)) {
    problems.push(
      `${label} ${JSON.stringify(name)} lies under the parameter prefix ${JSON.stringify(prefix)}: ` +
        "the change rule would fire on it and every client would load the secret as configuration",
    );
  }
  return problems;
}
