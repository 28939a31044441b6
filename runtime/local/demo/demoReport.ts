import type { FleetState } from "../../operator/fleet/fleetState";
import { formatDuration, quantile, textTable } from "../../operator/format/textTable";
import type { ChangeReport } from "./demoChanges";
import type { RevertFollowUp } from "./followRevert";
import type { LateStartReport } from "./lateStart";

/** Longest value shown in a table cell. */
const MAX_VALUE_WIDTH = 24;

/**
 * The lines describing one change: a title (key, before → after, versions), a table with one row
 * per instance (outcome, what it holds, latency from the write to applied, the path that applied
 * it first) and a one-line verdict.
 */
export function changeLines(index: number, report: ChangeReport): string[] {
  const { change, final } = report;
  const after = change.values.at(-1) ?? "";
  const burst = report.writes.length > 1 ? `burst of ${report.writes.length} writes, ` : "";
  const versions = report.writes.length > 1 ? `v${report.writes[0]?.version}…v${final.version}` : `v${final.version}`;
  const lines = [
    `${index}. ${change.key}: ${burst}${show(report.before ?? "(none)")} → ${show(after)}  ` +
      `(${versions}; ${change.purpose})`,
  ];
  const rows = report.instances.map((instance) => [
    instance.instanceId,
    instance.outcome === "NACK" && instance.reason ? `NACK ${instance.reason}` : instance.outcome,
    instance.heldVersion === undefined
      ? "?"
      : instance.heldVersion === final.version
        ? `v${final.version} = ${show(after)}`
        : `v${instance.heldVersion} (kept)`,
    instance.latencyMs === undefined ? "-" : formatDuration(instance.latencyMs),
    instance.via ?? "-",
  ]);
  lines.push(
    ...textTable(["instance", "outcome", "holds", "latency", "applied via"], rows).map((line) => `   ${line}`),
  );
  const latencies = report.instances.flatMap((i) => (i.latencyMs === undefined ? [] : [i.latencyMs]));
  const count = report.instances.length;
  if (change.expect === "applied") {
    const applied = report.instances.filter((i) => i.heldVersion === final.version).length;
    const stats =
      latencies.length > 0
        ? `; write → applied: p50 ${formatDuration(quantile(latencies, 0.5) ?? 0)}, ` +
          `last instance ${formatDuration(Math.max(...latencies))}`
        : "";
    lines.push(`   ${report.ok ? "ok" : "PROBLEM"}: applied by ${applied}/${count} instances${stats}`);
  } else {
    const refused = report.instances.filter((i) => i.outcome === "NACK").length;
    lines.push(
      `   ${report.ok ? "ok" : "PROBLEM"}: refused by ${refused}/${count} instances, applied by ${latencies.length}; ` +
        "they keep serving the previous value",
    );
    if (report.revert) lines.push(...revertLines(report.revert, count));
  }
  if (report.writes.length > 1) {
    const published = [...new Set(report.publishedVersions)].sort((a, b) => a - b);
    lines.push(
      `   ${report.writes.length} writes → ` +
        `${report.invocations} handler invocation${report.invocations === 1 ? "" : "s"} ` +
        `published ${published.length} version${published.length === 1 ? "" : "s"}` +
        `${published.length > 1 ? ` (v${published[0]}…v${published.at(-1)})` : ` (v${published[0] ?? "?"})`}: ` +
        "each invocation reads the current value, so events that arrive together collapse into one",
    );
  }
  return lines;
}

/**
 * What the function did about a value every instance refused: the version it wrote back, how long
 * after the bad write, and when the last instance held it; or why nothing was written.
 */
export function revertLines(revert: RevertFollowUp, count: number): string[] {
  const { report } = revert;
  if (report?.action !== "reverted") {
    const why = report ? `${report.action}: ${report.detail}` : "the function reported nothing";
    return [`   PROBLEM: not reverted in SSM (${why})`];
  }
  const fromWrite = revert.measuredFrom === "write";
  const after =
    revert.revertMs === undefined
      ? ""
      : `, ${formatDuration(revert.revertMs)} after ${fromWrite ? "the bad write" : "its event was let through"}`;
  const took = revert.convergedMs === undefined ? "" : formatDuration(revert.convergedMs);
  const fleet =
    revert.ok && took
      ? `every instance holds v${report.revertVersion} ${took} after ${fromWrite ? "it" : "that"}`
      : `PROBLEM: ${revert.appliedBy.length}/${count} instances hold v${report.revertVersion}`;
  const restored = `${show(revert.restoredValue ?? "?")} (the value of v${report.restoredVersion})`;
  return [
    `   reverted in SSM: v${report.revertVersion} = ${restored}${after}; ${fleet}`,
    `   its description: ${report.detail}`,
  ];
}

/** An instance started while SSM held a refused value: what it booted on, then the revert. */
export function lateStartLines(index: number, late: LateStartReport): string[] {
  const boot =
    late.bootVersion === undefined
      ? "PROBLEM: its State did not say what it holds"
      : late.refused === undefined
        ? `PROBLEM: it holds v${late.bootVersion} and reports nothing held back`
        : `booted on v${late.bootVersion}, the last valid version, and reports the key HELD BACK (${late.refused})`;
  const verdict = late.ok ? "ok: a start while SSM held a refused value served the last valid one" : "PROBLEM";
  return [
    `${index}. ${late.key}: ${show(late.value)} written (v${late.bad.version}) and its change event held back; ` +
      `instance ${late.instanceId} starts meanwhile`,
    `   ${late.instanceId} ${boot}`,
    "   the change event is let through: the fleet refuses it again",
    ...revertLines(late.revert, late.fleetSize),
    `   ${verdict}; ${late.instanceId} stops again`,
  ];
}

/** The fleet's convergence: one row per registered instance against SSM's current versions. */
export function convergenceLines(state: FleetState): string[] {
  const total = state.current.size;
  const rows = state.instances.map((instance) => {
    const held = instance.held;
    const holds = held
      ? `${[...state.current].filter(([name, version]) => held.get(name) === version).length}/${total}`
      : "-";
    const verdict = instance.error
      ? `UNREACHABLE: ${instance.error}`
      : instance.converged
        ? "converged"
        : `DIVERGED: ${instance.divergence
            .slice(0, 3)
            .map(
              (d) =>
                `${d.name} holds ${d.held === undefined ? "nothing" : `v${d.held}`}, ` +
                `SSM ${d.current === undefined ? "has none" : `v${d.current}`}`,
            )
            .join("; ")}${instance.divergence.length > 3 ? `; +${instance.divergence.length - 3} more` : ""}`;
    return [instance.instanceId, instance.address || "-", instance.health, holds, verdict];
  });
  return [
    "Fleet convergence (State RPC on each instance, " +
      `against SSM's current versions of the ${total} parameters under ${state.prefix})`,
    ...textTable(["instance", "address", "health", "holds", "state"], rows).map((line) => `   ${line}`),
  ];
}

function show(value: string): string {
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_WIDTH ? `${text.slice(0, MAX_VALUE_WIDTH - 2)}…"` : text;
}
