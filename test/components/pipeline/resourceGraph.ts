/**
 * Small readers over a {@link ProgramRun} for the pipeline tests: find a part's resources by type,
 * list what each component holds, and find where secret values went.
 */
import type { DeclaredResource, ProgramRun } from "../../support/pulumi/runProgram";

/** The type token at the end of a URN (`...$aws:sqs/queue:Queue::name` → `aws:sqs/queue:Queue`). */
export function typeOfUrn(urn: string): string {
  const chain = urn.split("::")[2] ?? "";
  return chain.split("$").pop() ?? "";
}

/** The resources whose parent is a component of type `componentType`. */
export function childrenOf(run: ProgramRun, componentType: string): DeclaredResource[] {
  return run.resources.filter((r) => r.parentUrn !== undefined && typeOfUrn(r.parentUrn) === componentType);
}

/** The one resource of `type` under the component of type `componentType`. */
export function partOf(run: ProgramRun, componentType: string, type: string, name?: string): DeclaredResource {
  const found = childrenOf(run, componentType).filter(
    (r) => r.type === type && (name === undefined || r.name === name),
  );
  if (found.length !== 1)
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""} under ${componentType}, found ${found.length}`,
    );
  return found[0]!;
}

/** The types a component holds, with how many of each, sorted: `["aws:sqs/queue:Queue × 1", ...]`. */
export function inventory(run: ProgramRun, componentType: string): string[] {
  const counts = new Map<string, number>();
  for (const r of childrenOf(run, componentType)) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} × ${n}`).sort();
}

/** A resource's answered state (inputs plus mocked outputs). */
export function stateOf(resource: DeclaredResource): Record<string, unknown> {
  if (!resource.state) throw new Error(`${resource.type} ${resource.name} has no state`);
  return resource.state;
}

/** Every path (`a.b[0]`) in `value` whose string contains `needle`. */
export function pathsHolding(value: unknown, needle: string, path = "", found: string[] = []): string[] {
  if (typeof value === "string") {
    if (value.includes(needle)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      pathsHolding(v, needle, `${path}[${i}]`, found);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) pathsHolding(v, needle, path ? `${path}.${k}` : k, found);
  }
  return found;
}

/** True when `path` is a secret input path or lies inside one. */
export function isUnderSecret(resource: DeclaredResource, path: string): boolean {
  return resource.secretInputs.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
}
