import { formatDuration, textTable } from "../../../runtime/operator/format/textTable";

/** One line of the reliability summary. */
export interface ScenarioRow {
  scenario: string;
  /** What was done to the pipeline. */
  injected: string;
  /** Changes an instance never got (held ≠ SSM's final version after the deadline). */
  changesLost: number;
  /** Versions that went down on an instance (State polls, acks or reader checks). */
  versionsRegressed: number;
  /** Processes that died without being asked to. */
  crashes: number;
  /** Time to converge, or `-` when the scenario has no convergence. */
  converge: string;
  /** Anything else that held, in a few words. */
  notes: string;
}

const rows: ScenarioRow[] = [];

/** Adds a scenario's line to the summary printed after the run. */
export function recordScenario(row: ScenarioRow): void {
  rows.push(row);
}

/** Time to converge as the table shows it. */
export function convergedIn(ms: number | undefined): string {
  return ms === undefined ? "did not converge" : formatDuration(ms);
}

/** The summary, as printed and as pasted in README.md. */
export function summaryTable(): string[] {
  return textTable(
    ["scenario", "injected", "lost", "regressed", "crashes", "converged in", "also held"],
    rows.map((row) => [
      row.scenario,
      row.injected,
      String(row.changesLost),
      String(row.versionsRegressed),
      String(row.crashes),
      row.converge,
      row.notes,
    ]),
  );
}

// Registered once, on the root suite: prints after every test file has run.
after(function () {
  if (rows.length === 0) return;
  const lines = summaryTable();
  process.stdout.write(
    `\n  Reliability summary (${rows.length} scenarios)\n\n${lines.map((line) => `  ${line}`).join("\n")}\n\n`,
  );
});
