/**
 * `npm run demo`: the whole pipeline on this machine. See `DEMO_HELP` (`npm run demo -- --help`).
 *
 * Stops everything it started on success, on failure and on Ctrl-C (SIGINT/SIGTERM); a second
 * Ctrl-C exits at once, killing the processes (`process.on("exit")` in the server launcher).
 */
import { AppConfigError } from "../../../components/appConfig/errors";
import { exitCodeOf } from "../../operator/errors";
import { PipelineAbortedError } from "../errors";
import { DEMO_HELP, parseDemoArgs, type DemoOptions } from "./demoOptions";
import { runDemo } from "./runDemo";

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;
/** Signals closer than this to the first one are the same Ctrl-C. */
const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * Runs the demo for a command line and returns the exit code (0 converged, 1 a problem, 2 usage,
 * 3 a missing server or unreachable endpoint, 130 interrupted).
 *
 * @example
 * ```ts
 * process.exitCode = await main(["--instances", "3"]);
 * ```
 */
export async function main(
  argv: string[],
  out: { print(line: string): void; error(line: string): void } = {
    print: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<number> {
  let options: DemoOptions | undefined;
  try {
    options = parseDemoArgs(argv);
  } catch (error) {
    out.error(`demo: ${(error as Error).message}\n\n${DEMO_HELP}`);
    return 2;
  }
  if (!options) {
    out.print(DEMO_HELP);
    return 0;
  }
  // The SDK's notice that its 2027 releases need Node 22 is about future releases; it would only blur
  // the demo's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const interrupt = new AbortController();
  let firstInterrupt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // One Ctrl-C can arrive twice (from the terminal, and relayed by tsx): only a later one means "now".
    if (firstInterrupt !== undefined && Date.now() - firstInterrupt < DUPLICATE_SIGNAL_MS) return;
    if (firstInterrupt !== undefined) {
      out.error("demo: interrupted again, exiting now (the processes are killed)");
      process.exit(INTERRUPTED);
    }
    firstInterrupt = Date.now();
    out.error(`\ndemo: ${signal}: stopping everything it started… (Ctrl-C again to exit at once)`);
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runDemo(options, { print: out.print, signal: interrupt.signal });
    if (interrupt.signal.aborted && !options.keep) return INTERRUPTED;
    return report.converged && report.rejectedEverywhere && report.changes.every((c) => c.ok) ? 0 : 1;
  } catch (error) {
    if (error instanceof PipelineAbortedError || interrupt.signal.aborted) {
      out.error("demo: interrupted; everything it started was stopped");
      return INTERRUPTED;
    }
    if (error instanceof AppConfigError) {
      out.error(`demo: ${error.message}`);
      return 2;
    }
    out.error(`demo: ${(error as Error).message}`);
    return exitCodeOf(error);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
