import * as path from "node:path";

/** Where an annotation points: a file, and optionally a 1-based line and column in it. */
export interface AnnotationPlace {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

/**
 * A GitHub Actions workflow command (`::error file=...,line=...,col=...::message`) that marks a
 * problem on its line of the pull request's diff. Escaped as the Actions toolkit escapes
 * (`@actions/core` `command.ts`): `%`, `\r`, `\n` in the message; those and `:`, `,` in properties.
 * A file under the working directory is given relative to it, as GitHub matches repository paths.
 *
 * @example
 * ```ts
 * githubAnnotation("error", "db/password: looks like a secret", {
 *   file: "stacks/app_config_beta.yaml",
 *   line: 3,
 *   col: 3,
 * });
 * // "::error file=stacks/app_config_beta.yaml,line=3,col=3::db/password: looks like a secret"
 * ```
 */
export function githubAnnotation(
  level: "error" | "warning" | "notice",
  message: string,
  place: AnnotationPlace = {},
  cwd = process.cwd(),
): string {
  const properties: [string, string][] = [];
  if (place.file !== undefined) properties.push(["file", repositoryPath(place.file, cwd)]);
  if (place.line !== undefined) properties.push(["line", String(place.line)]);
  if (place.col !== undefined) properties.push(["col", String(place.col)]);
  if (place.title !== undefined) properties.push(["title", place.title]);
  const head = properties.map(([name, value]) => `${name}=${escapeProperty(value)}`).join(",");
  return `::${level}${head ? ` ${head}` : ""}::${escapeData(message)}`;
}

/** The toolkit's `escapeData`: a message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** The toolkit's `escapeProperty`: a property value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function repositoryPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  const inside = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return (inside ? relative : file).split(path.sep).join("/");
}
