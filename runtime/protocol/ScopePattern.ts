/**
 * The one parser of a tenant scope pattern, used by the component's settings, the refresh Lambda's
 * environment and its fan-out alike, so a pattern means the same at every end.
 */

/** What an `{attribute}` segment may be named: a letter, then letters, digits or `_`. */
const ATTRIBUTE_SEGMENT = /^\{([a-zA-Z][a-zA-Z0-9_]*)\}$/;
/** Cloud Map reserves attributes that start with `AWS_` (`AWS_INSTANCE_IPV4`, `AWS_INSTANCE_PORT`, ...). */
const RESERVED_ATTRIBUTE = /^AWS_/i;

/** Thrown by {@link ScopePattern.parse}: lists every problem with the pattern. */
export class ScopePatternError extends Error {
  /** Every problem, one sentence each (without the pattern's own name). */
  public readonly problems: readonly string[];

  public constructor(pattern: string, problems: string[]) {
    super(`scope pattern ${JSON.stringify(pattern)} ${problems.join("; ")}`);
    this.name = "ScopePatternError";
    this.problems = problems;
  }
}

/**
 * A scope pattern such as `/shop/beta/tenants/{tenant}/`: a name under it belongs to the scope
 * `{tenant: "<segment>"}`, and its refresh only goes to the instances registered in Cloud Map with
 * that attribute (`RegisterInstance` `Attributes: {tenant: "acme"}`). Names outside it go to every
 * healthy instance.
 *
 * The rule, the same at every end: the pattern starts with `/` (with the parameter prefix when one
 * is given) and ends with `/`; it holds one or more `{attribute}` segments, each a whole path
 * segment and named once; every other segment is literal text. Several attributes are allowed:
 * the fan-out asks Cloud Map for the instances that carry all of them (`QueryParameters`).
 *
 * @example
 * ```ts
 * const scope = ScopePattern.parse("/shop/beta/tenants/{tenant}/", "/shop/beta/");
 * scope.match("/shop/beta/tenants/acme/db/pool_size"); // { tenant: "acme" }
 * scope.match("/shop/beta/log_level");                 // undefined
 * ```
 */
export class ScopePattern {
  private constructor(
    public readonly pattern: string,
    public readonly attributes: readonly string[],
    private readonly regex: RegExp,
  ) {}

  /**
   * Every problem with `pattern`, or `[]` when it is valid. With `prefix`, the pattern must lie
   * under it. Each problem is a sentence that follows the pattern's name (`scopePattern "…" …`).
   */
  public static problems(pattern: string, prefix?: string): string[] {
    const problems: string[] = [];
    const example = `${prefix ?? "/<app>/<env>/"}tenants/{tenant}/`;
    if (prefix !== undefined && !pattern.startsWith(prefix)) {
      problems.push(
        `is not under the parameter prefix ${JSON.stringify(prefix)}: ` +
          "a scope can only narrow the changes the rule delivers",
      );
    } else if (!pattern.startsWith("/")) {
      problems.push(`must start with "/" (it is a parameter path, e.g. "${example}")`);
    }
    if (!pattern.endsWith("/")) problems.push(`must end with "/"`);
    const segments = pattern.replace(/^\//, "").replace(/\/$/, "").split("/");
    if (segments.some((segment) => segment === "")) problems.push("has an empty path segment (two slashes in a row)");
    const attributes: string[] = [];
    let braced = 0;
    for (const segment of segments) {
      if (/[{}]/.test(segment)) braced++;
      const attribute = ATTRIBUTE_SEGMENT.exec(segment)?.[1];
      if (attribute === undefined) {
        if (/[{}]/.test(segment)) {
          problems.push(
            `has the segment ${JSON.stringify(segment)}: each {attribute} must be a whole path segment ` +
              `holding exactly one {attribute}, named by a letter then letters, digits or _`,
          );
        }
      } else if (attributes.includes(attribute)) {
        problems.push(`names {${attribute}} twice`);
      } else if (RESERVED_ATTRIBUTE.test(attribute)) {
        problems.push(`names {${attribute}}: Cloud Map reserves attributes that start with AWS_`);
      } else {
        attributes.push(attribute);
      }
    }
    if (braced === 0) {
      problems.push(
        `has no {attribute} segment: it needs one or more, each exactly one {attribute} as a whole path ` +
          `segment, e.g. "${example}"`,
      );
    }
    return problems;
  }

  /**
   * Parses a pattern (checked to lie under `prefix` when given).
   *
   * @throws {@link ScopePatternError} naming every problem {@link ScopePattern.problems} finds.
   */
  public static parse(pattern: string, prefix?: string): ScopePattern {
    const problems = ScopePattern.problems(pattern, prefix);
    if (problems.length > 0) throw new ScopePatternError(pattern, problems);
    const attributes: string[] = [];
    const source = pattern
      .split("/")
      .map((segment) => {
        const attribute = ATTRIBUTE_SEGMENT.exec(segment)?.[1];
        if (attribute === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        attributes.push(attribute);
        return "([^/]+)";
      })
      .join("/");
    return new ScopePattern(pattern, attributes, new RegExp(`^${source}`));
  }

  /** The scope of `name` (attribute → segment), or undefined when the name is outside the scope. */
  public match(name: string): Record<string, string> | undefined {
    const found = this.regex.exec(name);
    if (!found) return undefined;
    return Object.fromEntries(this.attributes.map((attribute, index) => [attribute, found[index + 1] ?? ""]));
  }
}
