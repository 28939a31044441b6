#!/usr/bin/env node
/**
 * `config-refresh`: the command for the people who operate the pipeline.
 * Each command lives in `commands/` and answers `--help`.
 */
import { CHECK_HELP, runCheck } from "./commands/check";
import { DLQ_HELP, runDlq } from "./commands/dlq";
import { GET_HELP, runGet } from "./commands/get";
import { HISTORY_HELP, runHistory } from "./commands/history";
import { ROLLBACK_HELP, runRollback } from "./commands/rollback";
import { runSet, SET_HELP } from "./commands/set";
import { runStatus, STATUS_HELP } from "./commands/status";
import { processOutput, type CommandResult, type Output } from "./output";

/** A command: its one-line summary, its help, and what runs it. */
interface Command {
  summary: string;
  help: string;
  run(argv: string[], out: Output): CommandResult;
}

/** Every command, by name. */
export const COMMANDS: Record<string, Command> = {
  check: {
    summary: "validate app_config_<env>.yaml files offline and report drift between environments",
    help: CHECK_HELP,
    run: runCheck,
  },
  get: { summary: "read a parameter (value, type, version)", help: GET_HELP, run: (argv, out) => runGet(argv, out) },
  set: {
    summary: "write a parameter after asking the fleet (and, against an emulator, relay its change event)",
    help: SET_HELP,
    run: (argv, out) => runSet(argv, out),
  },
  history: {
    summary: "every version SSM keeps of a parameter, with who wrote it and what the fleet did with it",
    help: HISTORY_HELP,
    run: (argv, out) => runHistory(argv, out),
  },
  rollback: {
    summary: "write an earlier version's value again (default: the last one the fleet applied), after asking",
    help: ROLLBACK_HELP,
    run: (argv, out) => runRollback(argv, out),
  },
  status: {
    summary: "every registered instance against SSM's current versions; exit 1 when diverged",
    help: STATUS_HELP,
    run: (argv, out) => runStatus(argv, out),
  },
  dlq: {
    summary: "dlq replay: re-drive the dead-letter queue through the refresh handler",
    help: DLQ_HELP,
    run: (argv, out) => runDlq(argv, out),
  },
};

/** The top-level help. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return (
    `Usage: config-refresh <command> [options]\n\nCommands:\n${lines.join("\n")}` +
    "\n\nRun config-refresh <command> --help for a command's options."
  );
}

/** Runs the command line `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  // The SDK's notice that its 2027 releases need Node 22 concerns future releases, not this command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out.print(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, out);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ||
      code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ||
      code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
    ) {
      out.error(`${(error as Error).message}\n\n${command.help}`);
      return 2;
    }
    out.error(`config-refresh ${name}: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
