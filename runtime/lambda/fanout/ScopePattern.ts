/**
 * A scope pattern such as `/shop/beta/tenants/{tenant}/`: a name under it belongs to the scope
 * `{tenant: "<segment>"}`, and its refresh only goes to the instances registered in Cloud Map with
 * that attribute (`RegisterInstance` `Attributes: {tenant: "acme"}`). Names outside any scope go to
 * every healthy instance. Each `{attribute}` stands for exactly one path segment.
 *
 * @example
 * ```ts
 * const scope = ScopePattern.parse("/shop/beta/tenants/{tenant}/");
 * scope.match("/shop/beta/tenants/acme/db/pool_size"); // { tenant: "acme" }
 * scope.match("/shop/beta/log_level");                 // undefined
 * ```
 */
export class ScopePattern {
  private constructor(public readonly pattern: string, public readonly attributes: readonly string[], private readonly regex: RegExp) {}

  /** Parses a pattern. @throws Error when it has no `{attribute}` or names one twice. */
  public static parse(pattern: string): ScopePattern {
    const attributes: string[] = [];
    const parts = pattern.split(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/);
    let source = "^";
    parts.forEach((part, index) => {
      if (index % 2 === 0) {
        source += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      } else {
        if (attributes.includes(part)) throw new Error(`scope pattern ${pattern} names {${part}} twice`);
        attributes.push(part);
        source += "([^/]+)";
      }
    });
    if (attributes.length === 0) throw new Error(`scope pattern ${pattern} has no {attribute} segment`);
    return new ScopePattern(pattern, attributes, new RegExp(source));
  }

  /** The scope of `name` (attribute → segment), or undefined when the name is outside every scope. */
  public match(name: string): Record<string, string> | undefined {
    const found = this.regex.exec(name);
    if (!found) return undefined;
    return Object.fromEntries(this.attributes.map((attribute, index) => [attribute, found[index + 1] ?? ""]));
  }
}
