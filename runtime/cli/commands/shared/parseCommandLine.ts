import { type ParseArgsConfig, parseArgs } from "node:util";
import type { Output } from "../../output";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What a command line parses to, or the exit code when the command should stop at once. */
export type CommandLine<O extends Options> =
  | {
      ok: true;
      values: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>>["values"];
      positionals: string[];
    }
  | { ok: false; exitCode: 0 | 2 };

/**
 * Parses a command's arguments (`--help` prints `help`, exit 0); `usageProblem` says what is wrong
 * with the positionals, if anything: printed with the help, exit 2. Node's own parse errors go to
 * `main`, which prints them with the help.
 *
 * @example
 * ```ts
 * const line = parseCommandLine(argv, out, { options: TARGET_OPTIONS, help: GET_HELP, usageProblem: oneName("get") });
 * if (!line.ok) return line.exitCode;
 * ```
 */
export function parseCommandLine<O extends Options>(
  argv: string[],
  out: Output,
  spec: { options: O; help: string; usageProblem: (positionals: readonly string[]) => string | undefined },
): CommandLine<O> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: spec.options });
  if ((values as { help?: unknown }).help) {
    out.print(spec.help);
    return { ok: false, exitCode: 0 };
  }
  const problem = spec.usageProblem(positionals);
  if (problem !== undefined) {
    out.error(`${problem}\n\n${spec.help}`);
    return { ok: false, exitCode: 2 };
  }
  return { ok: true, values, positionals };
}

/** The usage check of a command that takes one NAME. */
export function oneName(command: string): (positionals: readonly string[]) => string | undefined {
  return (positionals) =>
    positionals.length === 1 ? undefined : positionals.length === 0 ? "no NAME given" : `${command} takes one NAME`;
}
