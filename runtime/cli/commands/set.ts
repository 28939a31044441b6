import { parseArgs } from "node:util";
import { fullParameterName } from "../../operator/pipeline/pipelineNames";
import { createAwsClients } from "../../operator/aws/awsClients";
import { explainAwsError } from "../../operator/aws/explainAwsError";
import { PipelineSettingsError } from "../../operator/errors";
import { fleetUnreachableFromHere } from "../../operator/fleet/fleetReachability";
import { readFleetState, STATE_DEADLINE_MS } from "../../operator/fleet/fleetState";
import { ChangeEventRelay } from "../../operator/relay/changeEventRelay";
import { writeParameter } from "../../operator/relay/writeParameter";
import { PARAMETER_TYPES, type ParameterType } from "../../protocol/types";
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

/** Help of `config-refresh set`. */
export const SET_HELP = `Usage: config-refresh set NAME VALUE [options]

Writes one parameter to Parameter Store (PutParameter, overwriting: a new version). NAME is a full
name (/shop/beta/log_level) or relative to the prefix (log_level).

In AWS, Parameter Store emits the "Parameter Store Change" event itself and the pipeline carries it
to every instance. So does the endpoint a local pipeline hands out (npm run demo -- --keep), for any
client's write: set then relays nothing. Another emulator (moto, LocalStack) emits none: with
--aws-endpoint, set relays the event's real shape to EventBridge itself (PutEvents, source aws.ssm),
which routes it through the pipeline's rule. Real EventBridge refuses that source from callers.

Options:
  --type TYPE           String, StringList or SecureString: needed to create a parameter (an
                        existing one keeps its type)
  --description TEXT    the parameter's description
  --emit-event          relay the change event (default with --aws-endpoint, unless the endpoint
                        answers that it emitted the event itself)
  --no-emit-event       do not relay it (default without an endpoint: AWS emits its own)
  --wait                then wait until every instance registered in Cloud Map holds the new
                        version (State RPC); exit 1 when some do not within --timeout, 3 at once
                        when none answers from this machine (their addresses are inside the VPC)
  --timeout SECONDS     how long --wait waits (default 30)
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Unknown parameter without --type: exit 1. --wait and an instance still behind: exit 1.`;

/** Most seconds `--wait` may be asked to wait. */
const MAX_WAIT_SECONDS = 3_600;
/** Pause between two reads of the fleet while waiting. */
const WAIT_POLL_MS = 200;

/**
 * `config-refresh set NAME VALUE`: writes the parameter (and relays its change event against an
 * emulator that does not emit it itself); with `--wait`, waits for the fleet.
 * Exit 0, 1 unknown parameter or fleet behind,
 * 2 usage, 3 unreachable or no credentials.
 */
export function runSet(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...TARGET_OPTIONS,
      ...NAME_OPTIONS,
      type: { type: "string" },
      description: { type: "string" },
      "emit-event": { type: "boolean" },
      "no-emit-event": { type: "boolean" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
    },
  });
  if (values.help) {
    out.print(SET_HELP);
    return 0;
  }
  const [rawName, value] = positionals;
  if (positionals.length !== 2 || rawName === undefined || value === undefined) {
    out.error(
      `set takes NAME and VALUE (got ${positionals.length} argument${positionals.length === 1 ? "" : "s"})` +
        `\n\n${SET_HELP}`,
    );
    return 2;
  }
  return runCommand("set", out, async () => {
    const type = values.type as ParameterType | undefined;
    if (type !== undefined && !PARAMETER_TYPES.includes(type))
      throw new PipelineSettingsError(`--type must be one of ${PARAMETER_TYPES.join(", ")}, got "${values.type}"`);
    if (values["emit-event"] && values["no-emit-event"])
      throw new PipelineSettingsError("--emit-event and --no-emit-event conflict: give one");
    const timeoutSeconds = values.timeout === undefined ? 30 : Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_WAIT_SECONDS)
      throw new PipelineSettingsError(
        `--timeout must be a number of seconds from 1 to ${MAX_WAIT_SECONDS}, got "${values.timeout}"`,
      );
    const target = resolveCommandTarget(values, env);
    const names = values.wait ? resolveNames(target, values, env) : undefined;
    const name = fullParameterName(rawName, target.prefix);
    if (value === "") throw new PipelineSettingsError("VALUE is empty: Parameter Store holds no empty value");
    const emit = values["emit-event"] ?? (values["no-emit-event"] ? false : target.connection.endpoint !== undefined);
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const written = await writeParameter(clients.ssm, name, value, {
        ...(type ? { type } : {}),
        ...(values.description ? { description: values.description } : {}),
        ...(emit ? { relay: new ChangeEventRelay(clients.eventBridge) } : {}),
      }).catch((error: unknown) => {
        throw explainAwsError(error, {
          connection: target.connection,
          service: emit ? "SSM/EventBridge" : "SSM",
          action: `write ${name}`,
          parameterName: name,
        });
      });
      out.print(
        `${name} = ${written.type === "SecureString" ? "(SecureString)" : value}: version ${written.version} ` +
          `(${written.operation === "Create" ? "created" : "updated"})`,
      );
      out.print(
        written.eventId
          ? `  change event relayed to EventBridge (event ${written.eventId})`
          : "  no change event relayed (Parameter Store emits its own in AWS)",
      );
      if (!names) return 0;

      const deadline = Date.now() + timeoutSeconds * 1_000;
      for (;;) {
        const state = await readFleetState({
          ...clients,
          prefix: names.prefix,
          namespaceName: names.namespaceName,
          serviceName: names.serviceName,
          refreshTokenParameter: names.refreshTokenParameter,
        }).catch((error: unknown) => {
          throw explainAwsError(error, {
            connection: target.connection,
            service: "SSM/Cloud Map",
            action: `read the fleet of ${names.namespaceName}/${names.serviceName}`,
          });
        });
        // The write is done; what is left, watching the fleet, is status's job inside the VPC.
        const unreachable = fleetUnreachableFromHere(state, "status", STATE_DEADLINE_MS);
        if (unreachable) throw unreachable;
        const behind = state.instances.filter((instance) => instance.held?.get(name) !== written.version);
        const describeBehind = (i: (typeof behind)[number]): string =>
          `${i.instanceId} (${i.error ?? `holds ${i.held?.has(name) ? `v${i.held.get(name)}` : "nothing"}`})`;
        if (state.instances.length > 0 && behind.length === 0) {
          out.print(
            `  every instance holds version ${written.version} ` +
              `(${state.instances.length} instance${state.instances.length === 1 ? "" : "s"})`,
          );
          return 0;
        }
        if (Date.now() >= deadline) {
          out.print(
            state.instances.length === 0
              ? `  no instance is registered in ${names.namespaceName}/${names.serviceName}`
              : `  after ${timeoutSeconds} s, ${behind.length} of ${state.instances.length} instances ` +
                  `do not hold version ${written.version}: ${behind.map(describeBehind).join(", ")}`,
          );
          return 1;
        }
        await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      }
    } finally {
      clients.destroy();
    }
  });
}
