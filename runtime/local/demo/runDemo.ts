import { GetParametersCommand } from "@aws-sdk/client-ssm";
import type { FleetState } from "../../operator/fleet/fleetState";
import { formatDuration } from "../../operator/format/textTable";
import { startLocalPipeline } from "../pipeline/startLocalPipeline";
import type { LocalPipeline, PipelineProcess } from "../types/pipeline";
import { demoChanges, makeChange, type ChangeReport } from "./demoChanges";
import type { DemoOptions } from "./demoOptions";
import { changeLines, convergenceLines, lateStartLines } from "./demoReport";
import { lateStart, type LateStartReport } from "./lateStart";

/** Where the demo writes and what stops it. */
export interface DemoIo {
  /** One line of output. */
  print(line: string): void;
  /** Aborts the demo (Ctrl-C): everything started is stopped. With `--keep`, the demo runs until it fires. */
  signal?: AbortSignal;
  /** Called once the pipeline runs (tests record its processes). */
  onPipeline?(pipeline: LocalPipeline): void;
  /** How long one change may take to settle on every instance (default 15 s). */
  settleTimeoutMs?: number;
}

/** What the demo found. */
export interface DemoReport {
  changes: ChangeReport[];
  fleet: FleetState;
  /** Every instance holds SSM's current version of every parameter. */
  converged: boolean;
  /** The rejected value was refused by every instance and applied by none. */
  rejectedEverywhere: boolean;
  /** The function reverted the rejected value in SSM, and every instance took the revert. */
  reverted: boolean;
  /** The instance started while SSM held a refused value (absent when the demo was interrupted first). */
  lateStart?: LateStartReport;
  /** Every process the pipeline started (all stopped when the demo returns, unless `keep`). */
  processes: PipelineProcess[];
  /** From start to the verdict, ms. */
  durationMs: number;
}

/**
 * The demo: starts the pipeline with `options.instances` example services (progress lines as each
 * part is ready), makes the demo's changes (see `demoChanges`), prints what each instance did with
 * each one and the fleet's convergence, then stops everything, or with `keep` prints how to use the
 * `config-refresh` commands against it and waits for `io.signal`.
 *
 * @example
 * ```ts
 * const report = await runDemo({ instances: 3, keep: false }, { print: console.log });
 * report.converged && report.rejectedEverywhere; // true
 * ```
 */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoReport> {
  const started = Date.now();
  const print = io.print;
  print("config-refresh-pipeline demo: the whole pipeline on this machine");
  print("");
  print(`Starting (Ctrl-C stops everything)`);
  const pipeline = await startLocalPipeline({
    instances: options.instances,
    ...(options.awsEndpoint ? { awsEndpoint: options.awsEndpoint } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.appConfigFile ? { appConfigFile: options.appConfigFile } : {}),
    ...(options.app ? { app: options.app } : {}),
    onProgress: (event) => print(`   ${event.message}`),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  io.onPipeline?.(pipeline);
  let keepRunning = false;
  try {
    print(
      `Ready in ${formatDuration(Date.now() - started)}: ` +
        `${options.instances} instance${options.instances === 1 ? "" : "s"} ` +
        `of the example service hold ${pipeline.prefix}.`,
    );
    print("");
    print(
      "Changing values (latency: from the SSM write returning to the change applied on the instance, " +
        "read from its acknowledgement)",
    );
    const current = await currentValues(pipeline, ["log_level", "http/timeout_ms", "cache/ttl_seconds"]);
    const plan = demoChanges({
      logLevel: current.get("log_level"),
      timeoutMs: current.get("http/timeout_ms"),
      ttlSeconds: current.get("cache/ttl_seconds"),
    });
    const changes: ChangeReport[] = [];
    let late: LateStartReport | undefined;
    let step = 0;
    for (const change of plan) {
      if (io.signal?.aborted) break;
      const report = await makeChange(pipeline, change, io.settleTimeoutMs ?? 15_000);
      changes.push(report);
      print("");
      changeLines(++step, report).forEach((line) => {
        print(line);
      });
      if (change.expect === "rejected" && !late && !io.signal?.aborted) {
        // The same mistake again, while a deploy starts an instance before the revert could land.
        late = await lateStart(pipeline, change.key, change.values.at(-1) ?? "", io.settleTimeoutMs ?? 15_000);
        print("");
        lateStartLines(++step, late).forEach((line) => {
          print(line);
        });
      }
    }
    const fleet = await pipeline.fleetState();
    print("");
    convergenceLines(fleet).forEach((line) => {
      print(line);
    });
    const rejected = changes.find((c) => c.change.expect === "rejected");
    const rejectedEverywhere = rejected?.ok === true;
    const count = fleet.instances.length;
    print("");
    print(
      `${fleet.converged ? "PASS" : "FAIL"}  converged: ` +
        `${fleet.instances.filter((i) => i.converged).length}/${count} ` +
        `instances hold SSM's current version of all ${fleet.current.size} parameters`,
    );
    if (rejected) {
      const refused = rejected.instances.filter((i) => i.outcome === "NACK").length;
      const reasons = [...new Set(rejected.instances.flatMap((i) => (i.reason ? [i.reason] : [])))].join(", ");
      print(
        `${rejectedEverywhere ? "PASS" : "FAIL"}  rejected everywhere: ` +
          `${rejected.change.key} v${rejected.final.version} ` +
          `(${JSON.stringify(rejected.change.values.at(-1))}) refused by ${refused}/${count} instances` +
          `${reasons ? ` (${reasons})` : ""}, applied by none`,
      );
      print(revertVerdict(rejected));
    }
    if (late) print(lateStartVerdict(late));
    const unsettled = changes.filter((c) => c.change.expect === "applied" && !c.ok);
    if (unsettled.length > 0) print(`FAIL  not applied everywhere: ${unsettled.map((c) => c.change.key).join(", ")}`);
    const report: DemoReport = {
      changes,
      fleet,
      converged: fleet.converged,
      rejectedEverywhere,
      reverted: rejected?.revert?.ok ?? false,
      ...(late ? { lateStart: late } : {}),
      processes: pipeline.processes(),
      durationMs: Date.now() - started,
    };
    print("");
    print(`Demo done in ${formatDuration(report.durationMs)}.`);
    if (options.keep && !io.signal?.aborted) {
      keepRunning = true;
      keepLines(pipeline).forEach((line) => {
        print(line);
      });
      await untilAborted(io.signal);
    }
    return report;
  } finally {
    print(keepRunning ? "Stopping everything…" : "Stopping everything the demo started…");
    await pipeline.stop();
    print("Stopped.");
  }
}

/** The verdict line of the revert of the rejected value. */
function revertVerdict(rejected: ChangeReport): string {
  const revert = rejected.revert;
  const report = revert?.report;
  if (!revert?.ok || report?.revertVersion === undefined) {
    const why = report ? `${report.action}: ${report.detail}` : "not reverted";
    return `FAIL  reverted: ${rejected.change.key} v${rejected.final.version} ${why}`;
  }
  const times = [
    revert.revertMs === undefined ? undefined : `${formatDuration(revert.revertMs)} after the bad write`,
    revert.convergedMs === undefined
      ? undefined
      : `every instance on it ${formatDuration(revert.convergedMs)} after it`,
  ]
    .filter((t) => t !== undefined)
    .join(", ");
  return (
    `PASS  reverted: ${rejected.change.key} v${rejected.final.version} → v${report.revertVersion} ` +
    `(the value of v${report.restoredVersion}) in SSM, ${times}`
  );
}

/** The verdict line of the instance started while SSM held a refused value. */
function lateStartVerdict(late: LateStartReport): string {
  const boot = late.bootVersion === undefined ? "reported no version" : `booted on v${late.bootVersion}`;
  return (
    `${late.ok ? "PASS" : "FAIL"}  started on the last valid version: ${late.instanceId}, started while SSM held ` +
    `${late.key} v${late.bad.version} (${JSON.stringify(late.value)}), ${boot}${late.refused ? " (HELD BACK)" : ""}` +
    `${late.revert.report?.revertVersion ? `, then took the revert v${late.revert.report.revertVersion}` : ""}`
  );
}

/** How to drive the kept pipeline by hand. */
function keepLines(pipeline: LocalPipeline): string[] {
  const env = pipeline.commandEnvironment();
  return [
    "",
    "The pipeline keeps running (--keep). In another terminal, in this directory:",
    "",
    ...Object.entries(env).map(([name, value]) => `   export ${name}=${value}`),
    "",
    "   npm run config-refresh -- get log_level",
    "   npm run config-refresh -- set log_level warn        # writes; the endpoint emits the change event",
    `   aws ssm put-parameter --name ${pipeline.prefix}log_level --value warn --overwrite  # any client's write too`,
    "   npm run config-refresh -- status                    # every instance against SSM (exit 1 when diverged)",
    "   npm run config-refresh -- history log_level         # every version: who, when, what the fleet did with it",
    "   npm run config-refresh -- rollback log_level        # the last value the fleet applied, as a new version",
    "   npm run config-refresh -- dlq replay                # re-drives dead letters through the handler",
    "",
    "(npx config-refresh ... works the same once built.) Instances: " +
      pipeline.fleet.instances.map((i) => `${i.instanceId} http://127.0.0.1:${i.httpPort}/`).join(", "),
    "Ctrl-C stops everything.",
  ];
}

async function currentValues(pipeline: LocalPipeline, keys: string[]): Promise<Map<string, string>> {
  const { Parameters = [] } = await pipeline.clients.ssm.send(
    new GetParametersCommand({ Names: keys.map((key) => pipeline.prefix + key) }),
  );
  return new Map(
    Parameters.flatMap((p) =>
      p.Name && p.Value !== undefined ? [[p.Name.slice(pipeline.prefix.length), p.Value] as [string, string]] : [],
    ),
  );
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) throw new Error("--keep needs a signal to stop on (Ctrl-C)");
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
