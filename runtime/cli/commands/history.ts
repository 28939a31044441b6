import { createAwsClients } from "../../operator/aws/awsClients";
import { groupByReason } from "../../operator/format/groupByReason";
import { textTable } from "../../operator/format/textTable";
import type { FleetOutcome, HistoryVersion, ParameterHistory } from "../../operator/history/parameterHistory";
import { fullParameterName } from "../../operator/pipeline/pipelineNames";
import type { CommandResult, Output } from "../output";
import { REDIS_OPTIONS } from "./shared/commandRedis";
import {
  EXIT_CODES_HELP,
  NAME_HELP,
  NAME_OPTIONS,
  resolveCommandTarget,
  resolveNames,
  TARGET_HELP,
  TARGET_OPTIONS,
} from "./shared/commandTarget";
import { readHistoryWithOutcomes } from "./shared/parameterOutcomes";
import { oneName, parseCommandLine } from "./shared/parseCommandLine";
import { runCommand } from "./shared/runCommand";

/** Help lines of the Redis options of `history` and `rollback`. */
export const ACKS_REDIS_HELP = [
  "  --redis-url URL       the pipeline's Redis, where the acks stream is (CONFIG_REFRESH_REDIS_URL); in",
  "                        AWS rediss://<the stack's redisEndpoint output>:6379",
  "  --redis-user NAME     in AWS the services' user, which may read it: config-refresh-service",
  "                        (the stack's redisServiceUserName output; or in the URL, rediss://NAME@host)",
  "  --redis-auth-token-parameter NAME",
  "                        SecureString of that user's password, read with decryption (in AWS the",
  "                        stack's redisServicePasswordParameterName output); or the password in",
  "                        CONFIG_REFRESH_REDIS_PASSWORD, or percent-encoded in the URL",
].join("\n");

/** Help of `config-refresh history`. */
export const HISTORY_HELP = `Usage: config-refresh history NAME [options]

One row per version Parameter Store keeps of NAME (GetParameterHistory, every page), newest first:
the version, when and by whom it was written (LastModifiedUser), its value ((SecureString) unless
--decrypt), what the fleet did with it, and its description (a revert by the refresh function says
so). NAME is a full name or relative to the prefix.

What the fleet did comes from the acks stream in the pipeline's Redis, where every instance records
each version it applied and each one its schema refused, with the reason: "3 applied, 1 refused".
A version whose records were trimmed from the stream (it keeps about 10,000 entries), or that SSM no
longer keeps (it keeps 100 versions), is unknown, never 0. Without --redis-url every outcome is
unknown (the rest needs SSM only). The Redis answers only inside the pipeline's VPC: from outside,
the command says so within seconds (exit 3).

Options:
  --decrypt             show a SecureString's values (hidden otherwise)
  --json                one JSON object {name, type, versions: [...], forgottenUpTo} for scripts
${ACKS_REDIS_HELP}
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Unknown parameter: exit 1.`;

/** Longest value shown in the table (--json shows it whole). */
const SHOWN_VALUE_LENGTH = 40;

/**
 * `config-refresh history NAME`: every version SSM keeps, with the fleet's outcome of each. Exit 0,
 * 1 unknown parameter, 2 usage, 3 SSM or Redis unreachable from here, or no credentials.
 */
export function runHistory(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const line = parseCommandLine(argv, out, {
    options: {
      ...TARGET_OPTIONS,
      ...NAME_OPTIONS,
      ...REDIS_OPTIONS,
      decrypt: { type: "boolean" },
      json: { type: "boolean" },
    },
    help: HISTORY_HELP,
    usageProblem: oneName("history"),
  });
  if (!line.ok) return line.exitCode;
  const { values } = line;
  const rawName = line.positionals[0] as string;
  return runCommand("history", out, async () => {
    const target = resolveCommandTarget(values, env);
    const name = fullParameterName(rawName, target.prefix);
    const names = target.prefix ? resolveNames(target, values, env) : undefined;
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const { history, acksFrom } = await readHistoryWithOutcomes(
        { command: "history", target, clients, names, values, env },
        name,
        values.decrypt ?? false,
      );
      if (values.json) out.print(JSON.stringify(historyJson(history)));
      else for (const line of historyLines(history, acksFrom)) out.print(line);
      return 0;
    } finally {
      clients.destroy();
    }
  });
}

/** The history as `--json` prints it. */
function historyJson(history: ParameterHistory): unknown {
  return {
    name: history.name,
    type: history.type,
    versions: history.versions.map((v) => ({
      version: v.version,
      modifiedAt: v.modifiedAt !== undefined ? new Date(v.modifiedAt).toISOString() : null,
      modifiedBy: v.modifiedBy ?? null,
      type: v.type,
      ...(v.value !== undefined ? { value: v.value } : {}),
      description: v.description ?? null,
      revert: v.revert,
      fleet: v.fleet.known
        ? {
            known: true,
            applied: v.fleet.appliedBy.length,
            refused: v.fleet.refusals.length,
            appliedBy: v.fleet.appliedBy,
            refusals: v.fleet.refusals,
          }
        : { known: false, why: v.fleet.why },
    })),
    forgottenUpTo: history.forgottenUpTo,
  };
}

/** The history as a table, then the refusals' reasons and the versions SSM no longer keeps. */
function historyLines(history: ParameterHistory, acksFrom: string | undefined): string[] {
  const { versions } = history;
  const lines = [
    `${history.name} (${history.type}): ${versions.length} version${versions.length === 1 ? "" : "s"} kept by SSM; ` +
      (acksFrom ? `fleet outcomes from ${acksFrom}` : "fleet outcomes unknown (no --redis-url)"),
  ];
  const rows = versions.map((v, i) => [
    String(v.version),
    v.modifiedAt !== undefined ? new Date(v.modifiedAt).toISOString().replace(/\.\d{3}Z$/, "Z") : "-",
    v.modifiedBy ?? "-",
    shownValue(v),
    fleetSummary(v.fleet),
    describeVersion(v, versions[i + 1]),
  ]);
  lines.push(...textTable(["version", "modified", "by", "value", "fleet", "description"], rows));
  const refused = versions.filter((v) => v.fleet.known && v.fleet.refusals.length > 0);
  if (refused.length > 0) {
    lines.push("refusals:");
    for (const v of refused) {
      if (!v.fleet.known) continue;
      for (const group of groupByReason(v.fleet.refusals))
        lines.push(`  v${v.version}  ${group.instances.join(", ")}: ${group.reason}`);
    }
  }
  if (history.forgottenUpTo > 0) {
    const range = history.forgottenUpTo === 1 ? "version 1 is" : `versions 1–${history.forgottenUpTo} are`;
    lines.push(`${range} no longer in SSM's history (it keeps 100): value and fleet outcome unknown`);
  }
  return lines;
}

function shownValue(v: HistoryVersion): string {
  if (v.value === undefined) return "(SecureString)";
  return v.value.length > SHOWN_VALUE_LENGTH ? `${v.value.slice(0, SHOWN_VALUE_LENGTH - 1)}…` : v.value;
}

function fleetSummary(fleet: FleetOutcome): string {
  if (!fleet.known) return `unknown (${fleet.why})`;
  const refused = fleet.refusals.length > 0 ? `, ${fleet.refusals.length} refused` : "";
  return `${fleet.appliedBy.length} applied${refused}`;
}

/** A description SSM carried over from the version before (it keeps one across writes that send none) says so. */
function describeVersion(v: HistoryVersion, older: HistoryVersion | undefined): string {
  if (!v.description) return "-";
  if (!v.revert && older?.description === v.description) return `(same as v${older.version})`;
  return v.description;
}
