import type { Output } from "../../../runtime/cli/output";

/** An {@link Output} that keeps what a command printed, for assertions. */
export function captureOutput(): Output & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    print: (line) => void stdout.push(line),
    error: (line) => void stderr.push(line),
    text: () => [...stdout, ...stderr].join("\n"),
  };
}
