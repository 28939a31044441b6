import { LAMBDA_ENVIRONMENT } from "../../lambda/environment";
import { createAwsClients } from "../../operator/aws/awsClients";
import { ParameterNotFoundError, PipelineSettingsError } from "../../operator/errors";
import { rollbackTarget } from "../../operator/history/rollbackTarget";
import { fullParameterName } from "../../operator/pipeline/pipelineNames";
import type { CommandResult, Output } from "../output";
import { ACKS_REDIS_HELP } from "./history";
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
import {
  checkGuardedWriteOptions,
  GUARDED_WRITE_HELP,
  GUARDED_WRITE_OPTIONS,
  guardedWrite,
  PREFLIGHT_HELP,
  readExistingParameter,
  resolveFleetNames,
} from "./shared/guardedWrite";
import { readHistoryWithOutcomes } from "./shared/parameterOutcomes";
import { oneName, parseCommandLine } from "./shared/parseCommandLine";
import { runCommand } from "./shared/runCommand";

/** Help of `config-refresh rollback`. */
export const ROLLBACK_HELP = `Usage: config-refresh rollback NAME [--to VERSION] [options]

Writes the value of an earlier version of NAME as a new version (SSM keeps every version: nothing
is lost, and history shows the rollback). By default the earlier version is the newest one the
fleet applied without a refusal and whose value differs from the current one, as history shows it
(the acks stream: needs --redis-url); --to VERSION picks one SSM keeps. A SecureString's value is
read and written back only with --decrypt spelled out (exit 2 otherwise).

${PREFLIGHT_HELP}

Options:
  --to VERSION          the version whose value to restore (default: the newest earlier version
                        the fleet applied without refusals)
  --decrypt             allow reading a SecureString's earlier value and writing it back
${GUARDED_WRITE_HELP}
${ACKS_REDIS_HELP}
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Unknown parameter, --to a version SSM does not keep, no earlier version the fleet applied, a value
an instance would refuse, --wait and an instance still behind: exit 1. A SecureString without
--decrypt, or no --redis-url without --to: exit 2. No instance answers the pre-flight here: exit 3.`;

/**
 * `config-refresh rollback NAME`: writes an earlier version's value as a new version, after the same
 * pre-flight as `set`. Exit 0, 1 no such version or a refusal, 2 usage, 3 unreachable or no credentials.
 */
export function runRollback(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const line = parseCommandLine(argv, out, {
    options: {
      ...TARGET_OPTIONS,
      ...NAME_OPTIONS,
      ...GUARDED_WRITE_OPTIONS,
      ...REDIS_OPTIONS,
      to: { type: "string" },
      decrypt: { type: "boolean" },
    },
    help: ROLLBACK_HELP,
    usageProblem: oneName("rollback"),
  });
  if (!line.ok) return line.exitCode;
  const { values } = line;
  const rawName = line.positionals[0] as string;
  return runCommand("rollback", out, async () => {
    const to = values.to === undefined ? undefined : Number(values.to);
    if (to !== undefined && (!Number.isSafeInteger(to) || to < 1))
      throw new PipelineSettingsError(`--to must be a version number (a whole number from 1), got "${values.to}"`);
    checkGuardedWriteOptions(values);
    const target = resolveCommandTarget(values, env);
    const name = fullParameterName(rawName, target.prefix);
    const names = target.prefix ? resolveNames(target, values, env) : resolveFleetNames(target, values, env);
    if (to === undefined && !values["redis-url"] && !env[LAMBDA_ENVIRONMENT.redisUrl])
      throw new PipelineSettingsError(
        "rollback picks the newest version the fleet applied without refusals from the acks stream: " +
          `give --redis-url (or ${LAMBDA_ENVIRONMENT.redisUrl}), or --to VERSION`,
      );
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const existing = await readExistingParameter(clients, target, name);
      if (!existing) throw new ParameterNotFoundError(name);
      const secret = existing.type === "SecureString";
      if (secret && !values.decrypt)
        throw new PipelineSettingsError(
          `${name} is a SecureString: rollback reads an earlier version's secret value and writes it back; ` +
            "give --decrypt to allow it (its value is never printed)",
        );
      const { history } = await readHistoryWithOutcomes(
        { command: "rollback", target, clients, names, values, env },
        name,
        true,
      );
      const restored = rollbackTarget(history, to);
      const current = history.versions[0];
      const outcome = restored.fleet.known
        ? `applied by ${restored.fleet.appliedBy.length}, refused by ${restored.fleet.refusals.length}`
        : `fleet outcome unknown: ${restored.fleet.why}`;
      out.print(
        `rollback of ${name}: version ${current?.version} → the value of version ${restored.version} (${outcome})`,
      );
      if (restored.value === undefined) throw new PipelineSettingsError(`version ${restored.version} carries no value`);
      return await guardedWrite(
        { out, command: "rollback", target, clients, values, ...(names ? { names } : {}) },
        {
          name,
          value: restored.value,
          existing,
          description:
            `config-refresh rollback: value of version ${restored.version} restored ` +
            `(over version ${current?.version})`,
        },
      );
    } finally {
      clients.destroy();
    }
  });
}
