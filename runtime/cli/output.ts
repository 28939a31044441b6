/**
 * Exit code of a command: 0 success, 1 the check/operation found a problem, 2 usage error,
 * 3 cannot reach a dependency.
 */
export type CommandResult = number | Promise<number>;

/** Where a command writes: stdout for results, stderr for errors (swappable in tests). */
export interface Output {
  print(line: string): void;
  error(line: string): void;
}

/** The process's own stdout and stderr. */
export const processOutput: Output = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
