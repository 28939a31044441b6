import { createAwsClients } from "../../operator/aws/awsClients";
import { PipelineSettingsError } from "../../operator/errors";
import { fullParameterName } from "../../operator/pipeline/pipelineNames";
import { PARAMETER_TYPES, type ParameterType } from "../../protocol/types";
import type { CommandResult, Output } from "../output";
import {
  EXIT_CODES_HELP,
  NAME_HELP,
  NAME_OPTIONS,
  resolveCommandTarget,
  TARGET_HELP,
  TARGET_OPTIONS,
} from "./shared/commandTarget";
import {
  checkGuardedWriteOptions,
  GUARDED_WRITE_HELP,
  GUARDED_WRITE_OPTIONS,
  guardedWrite,
  PREFLIGHT_HELP,
  readExistingParameter,
  resolveFleetNames,
} from "./shared/guardedWrite";
import { parseCommandLine } from "./shared/parseCommandLine";
import { runCommand } from "./shared/runCommand";

/** Help of `config-refresh set`. */
export const SET_HELP = `Usage: config-refresh set NAME VALUE [options]

Writes one parameter to Parameter Store (PutParameter, overwriting: a new version). NAME is a full
name (/shop/beta/log_level) or relative to the prefix (log_level).

${PREFLIGHT_HELP}

In AWS, Parameter Store emits the "Parameter Store Change" event itself and the pipeline carries it
to every instance. So does the endpoint a local pipeline hands out (npm run demo -- --keep), for any
client's write: set then relays nothing. Another emulator (moto, LocalStack) emits none: with
--aws-endpoint, set relays the event's real shape to EventBridge itself (PutEvents, source aws.ssm),
which routes it through the pipeline's rule. Real EventBridge refuses that source from callers.

Options:
  --type TYPE           String, StringList or SecureString: needed to create a parameter (an
                        existing one keeps its type)
  --description TEXT    the parameter's description
${GUARDED_WRITE_HELP}
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Unknown parameter without --type, a value SSM or an instance would refuse, --wait and an instance
still behind: exit 1. No instance answers the pre-flight from this machine: exit 3.`;

/**
 * `config-refresh set NAME VALUE`: checks SSM's rules, asks the fleet (`Validate`), writes the
 * parameter (relaying its change event against an emulator that does not emit it itself); with
 * `--wait`, waits for the fleet. Exit 0, 1 unknown parameter, a refusal or fleet behind, 2 usage,
 * 3 unreachable (AWS, or the whole fleet from here) or no credentials.
 */
export function runSet(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const line = parseCommandLine(argv, out, {
    options: {
      ...TARGET_OPTIONS,
      ...NAME_OPTIONS,
      ...GUARDED_WRITE_OPTIONS,
      type: { type: "string" },
      description: { type: "string" },
    },
    help: SET_HELP,
    usageProblem: (positionals) =>
      positionals.length === 2
        ? undefined
        : `set takes NAME and VALUE (got ${positionals.length} argument${positionals.length === 1 ? "" : "s"})`,
  });
  if (!line.ok) return line.exitCode;
  const { values } = line;
  const [rawName, value] = line.positionals as [string, string];
  return runCommand("set", out, async () => {
    const type = values.type as ParameterType | undefined;
    if (type !== undefined && !PARAMETER_TYPES.includes(type))
      throw new PipelineSettingsError(`--type must be one of ${PARAMETER_TYPES.join(", ")}, got "${values.type}"`);
    checkGuardedWriteOptions(values);
    const target = resolveCommandTarget(values, env);
    const names = resolveFleetNames(target, values, env);
    const name = fullParameterName(rawName, target.prefix);
    if (value === "") throw new PipelineSettingsError("VALUE is empty: Parameter Store holds no empty value");
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const existing = await readExistingParameter(clients, target, name);
      return await guardedWrite(
        { out, command: "set", target, clients, values, ...(names ? { names } : {}) },
        {
          name,
          value,
          existing,
          ...(type ? { type } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        },
      );
    } finally {
      clients.destroy();
    }
  });
}
