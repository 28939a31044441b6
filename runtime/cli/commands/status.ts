import { parseArgs } from "node:util";
import { createAwsClients } from "../../operator/aws/awsClients";
import { PipelineSettingsError } from "../../operator/errors";
import { explainFleetReadError } from "../../operator/fleet/explainFleetReadError";
import { fleetUnreachableFromHere } from "../../operator/fleet/fleetReachability";
import { readFleetState, STATE_DEADLINE_MS, type Divergence } from "../../operator/fleet/fleetState";
import { textTable } from "../../operator/format/textTable";
import type { CommandResult, Output } from "../output";
import {
  EXIT_CODES_HELP,
  NAME_HELP,
  NAME_OPTIONS,
  resolveCommandTarget,
  resolveNames,
  TARGET_HELP,
  TARGET_OPTIONS,
} from "./shared/commandTarget";
import { runCommand } from "./shared/runCommand";

/** Help of `config-refresh status`. */
export const STATUS_HELP = `Usage: config-refresh status [options]

The fleet's convergence: every instance registered in Cloud Map (healthy or not), what it holds
(its State RPC, with the refresh token read from SSM) against SSM's current version of every
parameter under the prefix. Instances that hold another version, miss a parameter, hold a deleted
one or do not answer are marked DIVERGED or UNREACHABLE, with the names concerned. An instance that
refused SSM's current version (its schema refuses the value) and holds the last one it accepted is
marked HELD BACK, with the schema's reason.

The instances' addresses are private to the services' VPC: run status where they answer, inside the
VPC (a one-off ECS task in the services' subnets with their security group, or AWS CloudShell in the
VPC). When no instance answers at all, status says so at once (exit 3) instead of listing them all.

Options:
  --deadline-ms MS      deadline of each instance's State call (default ${STATE_DEADLINE_MS})
  --verbose             list every diverging name (default: the first 3 per instance)
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Exit 1 when an instance diverges or does not answer, or when no instance is registered;
exit 3 when SSM or Cloud Map cannot be reached, or no instance answers from this machine.`;

/** Diverging names listed per instance unless --verbose. */
const SHOWN_DIVERGENCES = 3;

/**
 * `config-refresh status`: every registered instance against SSM. Exit 0 converged, 1 diverged
 * (or an instance unreachable, or none registered), 2 usage, 3 SSM/Cloud Map unreachable or no instance
 * answering from this machine (outside the VPC).
 */
export function runStatus(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...TARGET_OPTIONS, ...NAME_OPTIONS, "deadline-ms": { type: "string" }, verbose: { type: "boolean" } },
  });
  if (values.help) {
    out.print(STATUS_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    out.error(`status takes no argument (got "${positionals[0]}")\n\n${STATUS_HELP}`);
    return 2;
  }
  return runCommand("status", out, async () => {
    const deadlineMs = values["deadline-ms"] === undefined ? STATE_DEADLINE_MS : Number(values["deadline-ms"]);
    if (!Number.isInteger(deadlineMs) || deadlineMs < 100 || deadlineMs > 60_000)
      throw new PipelineSettingsError(
        `--deadline-ms must be a whole number from 100 to 60000, got "${values["deadline-ms"]}"`,
      );
    const target = resolveCommandTarget(values, env);
    const names = resolveNames(target, values, env);
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const state = await readFleetState({
        ...clients,
        prefix: names.prefix,
        namespaceName: names.namespaceName,
        serviceName: names.serviceName,
        refreshTokenParameter: names.refreshTokenParameter,
        deadlineMs,
      }).catch((error: unknown) => {
        throw explainFleetReadError(error, names, target.connection);
      });
      const total = state.current.size;
      out.print(
        `${names.namespaceName}/${names.serviceName} at ${target.connection.label}: ` +
          `${state.instances.length} instance${state.instances.length === 1 ? "" : "s"} registered, ` +
          `${total} parameters under ${names.prefix}`,
      );
      if (state.instances.length === 0) {
        out.print("PROBLEM: no instance is registered in Cloud Map");
        return 1;
      }
      const unreachable = fleetUnreachableFromHere(state, "status", deadlineMs);
      if (unreachable) throw unreachable;
      const rows = state.instances.map((instance) => {
        const held = instance.held;
        const holds = held ? `${[...state.current].filter(([n, v]) => held.get(n) === v).length}/${total}` : "-";
        const shown = values.verbose ? instance.divergence : instance.divergence.slice(0, SHOWN_DIVERGENCES);
        const more = instance.divergence.length - shown.length;
        const heldBack = instance.divergence.length > 0 && instance.divergence.every((d) => d.refused !== undefined);
        const verdict = instance.error
          ? `UNREACHABLE: ${instance.error}`
          : instance.converged
            ? "converged"
            : `${heldBack ? "HELD BACK" : "DIVERGED"}: ${shown.map(describeDivergence).join(", ")}` +
              `${more > 0 ? `, +${more} more (--verbose)` : ""}`;
        return [
          instance.converged ? " " : "!",
          instance.instanceId,
          instance.address || "-",
          instance.health,
          holds,
          verdict,
        ];
      });
      for (const line of textTable(["", "instance", "address", "health", "holds", "state"], rows)) out.print(line);
      const diverged = state.instances.filter((i) => !i.converged);
      const heldBack = diverged.filter((i) => !i.error && i.divergence.every((d) => d.refused !== undefined));
      out.print(
        diverged.length === 0
          ? `CONVERGED: ${state.instances.length}/${state.instances.length} instances ` +
              `hold SSM's current version of all ${total} parameters`
          : heldBack.length === diverged.length
            ? `HELD BACK: ${heldBack.length} of ${state.instances.length} instances refuse SSM's current value ` +
              `and hold the last valid one (${heldBack.map((i) => i.instanceId).join(", ")}): fix the value in SSM`
            : `DIVERGED: ${diverged.length} of ${state.instances.length} instances ` +
              `do not hold SSM's current versions (${diverged.map((i) => i.instanceId).join(", ")})`,
      );
      return diverged.length === 0 ? 0 : 1;
    } finally {
      clients.destroy();
    }
  });
}

/** One name an instance holds differently from SSM, as the table shows it. */
function describeDivergence(d: Divergence): string {
  const held = d.held === undefined ? "missing" : `v${d.held}`;
  const current = d.current === undefined ? "deleted" : `v${d.current}`;
  return d.refused !== undefined
    ? `${d.name} ${held} (SSM ${current} refused: ${d.refused})`
    : `${d.name} ${held} (SSM ${current})`;
}
