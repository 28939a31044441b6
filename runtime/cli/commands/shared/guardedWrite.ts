import { maxValueBytes, MAX_STANDARD_VALUE_BYTES } from "../../../../components/appConfig/ssmRules";
import type { AwsClients } from "../../../operator/aws/awsClients";
import { explainAwsError } from "../../../operator/aws/explainAwsError";
import { describeParameter, ssmWriteProblems, type ExistingParameter } from "../../../operator/aws/parameterRules";
import { OperatorError, ParameterNotFoundError, PipelineSettingsError } from "../../../operator/errors";
import { explainFleetReadError } from "../../../operator/fleet/explainFleetReadError";
import { STATE_DEADLINE_MS } from "../../../operator/fleet/fleetState";
import { askFleetFirst, preflightVerdict, type PreflightAnswer } from "../../../operator/fleet/preflight";
import { waitForFleetVersion } from "../../../operator/fleet/waitForVersion";
import { textTable } from "../../../operator/format/textTable";
import type { PipelineNames } from "../../../operator/pipeline/pipelineNames";
import { ChangeEventRelay } from "../../../operator/relay/changeEventRelay";
import { writeParameter } from "../../../operator/relay/writeParameter";
import type { ParameterType } from "../../../protocol/types";
import type { Output } from "../../output";
import { resolveNames, type CommandTarget } from "./commandTarget";

/** The options of a command that writes a value after asking the fleet (parseArgs shape). */
export const GUARDED_WRITE_OPTIONS = {
  force: { type: "boolean" },
  "no-preflight": { type: "boolean" },
  "emit-event": { type: "boolean" },
  "no-emit-event": { type: "boolean" },
  wait: { type: "boolean" },
  timeout: { type: "string" },
} as const;

/** Help lines of {@link GUARDED_WRITE_OPTIONS}. */
export const GUARDED_WRITE_HELP = [
  "  --force               write even when an instance would refuse the value (the pipeline then",
  "                        handles it as any bad value: the fleet keeps the last valid one, and a",
  "                        value every instance refuses is reverted by the refresh function)",
  "  --no-preflight        do not ask the fleet (SSM's own rules are still checked)",
  "  --emit-event          relay the change event (default with --aws-endpoint, unless the endpoint",
  "                        answers that it emitted the event itself)",
  "  --no-emit-event       do not relay it (default without an endpoint: AWS emits its own)",
  "  --wait                then wait until every instance registered in Cloud Map holds the new",
  "                        version (State RPC); exit 1 when some do not within --timeout, 3 at once",
  "                        when none answers from this machine (their addresses are inside the VPC)",
  "  --timeout SECONDS     how long --wait waits (default 30)",
].join("\n");

/** What the pre-flight does, for the commands' help. */
export const PREFLIGHT_HELP = [
  "Before writing, SSM's own rules are checked (the parameter's allowedPattern, its tier's size",
  "limit, its type), then every instance registered in Cloud Map is asked whether it would take the",
  `value (the Validate RPC, ${STATE_DEADLINE_MS} ms each, all at once; it changes nothing there) and each answer is`,
  "printed. When one would refuse it (VALIDATION_FAILED, UNKNOWN_NAME), nothing is written (exit 1).",
  "When no instance answers from this machine (their addresses are inside the VPC), nothing is",
  "written either and the command says so (exit 3): give --no-preflight or --force, or run it inside",
  "the VPC. A SecureString's value never travels on the refresh call: the fleet is not asked about it.",
].join("\n");

/** Most seconds `--wait` may be asked to wait. */
const MAX_WAIT_SECONDS = 3_600;

type Values = Partial<Record<keyof typeof GUARDED_WRITE_OPTIONS, string | boolean>>;

/** One write a command wants to make. */
export interface GuardedWriteRequest {
  name: string;
  value: string;
  /** What SSM holds about the parameter now; undefined when it does not exist. */
  existing: ExistingParameter | undefined;
  /** The type of a new parameter (`--type`); an existing one keeps its own. */
  type?: ParameterType;
  description?: string;
}

/** Where the write goes and how the command was called. */
export interface GuardedWriteContext {
  out: Output;
  /** The command's name in messages (`set`, `rollback`). */
  command: string;
  target: CommandTarget;
  clients: AwsClients;
  /** The pipeline's names: needed to ask the fleet or to wait for it. */
  names?: PipelineNames;
  values: Values;
}

/**
 * The seconds `--wait` waits, checked.
 *
 * @throws {@link PipelineSettingsError} for a bad `--timeout` or conflicting event flags.
 */
export function checkGuardedWriteOptions(values: Values): { timeoutSeconds: number } {
  if (values["emit-event"] && values["no-emit-event"])
    throw new PipelineSettingsError("--emit-event and --no-emit-event conflict: give one");
  const timeoutSeconds = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_WAIT_SECONDS)
    throw new PipelineSettingsError(
      `--timeout must be a number of seconds from 1 to ${MAX_WAIT_SECONDS}, got "${values.timeout}"`,
    );
  return { timeoutSeconds };
}

/**
 * The pipeline's names when the command asks the fleet or waits for it (else undefined: a write
 * with `--no-preflight` and no `--wait` needs SSM only).
 *
 * @throws {@link PipelineSettingsError} when they are needed and no prefix was given.
 */
export function resolveFleetNames(
  target: CommandTarget,
  values: Values & Parameters<typeof resolveNames>[1],
  env: NodeJS.ProcessEnv,
): PipelineNames | undefined {
  if (values["no-preflight"] && !values.wait) return undefined;
  try {
    return resolveNames(target, values, env);
  } catch (error) {
    if (!target.prefix && error instanceof PipelineSettingsError)
      throw new PipelineSettingsError(`${error.message} (the pre-flight asks its fleet; --no-preflight skips it)`);
    throw error;
  }
}

/**
 * What SSM holds about `name` now (`DescribeParameters`), undefined when it does not exist.
 *
 * @throws the explained AWS error (unreachable, credentials, ...).
 */
export function readExistingParameter(
  clients: Pick<AwsClients, "ssm">,
  target: CommandTarget,
  name: string,
): Promise<ExistingParameter | undefined> {
  return describeParameter(clients.ssm, name).catch((error: unknown) => {
    throw explainAwsError(error, {
      connection: target.connection,
      service: "SSM",
      action: `describe ${name} (ssm:DescribeParameters)`,
      parameterName: name,
    });
  });
}

/**
 * Checks SSM's rules, asks the fleet (unless `--no-preflight`), writes (relaying the change event
 * against an emulator that does not emit it), then with `--wait` waits for every instance. Prints
 * each step; returns the exit code.
 *
 * @throws an `OperatorError` with its exit code: SSM would refuse (1), an instance would refuse (1,
 * unless `--force`), the fleet cannot be asked from here (3), the write or the wait failed.
 */
export async function guardedWrite(context: GuardedWriteContext, request: GuardedWriteRequest): Promise<number> {
  const { out, command, target, clients, names, values } = context;
  const { name, value, existing } = request;
  const { timeoutSeconds } = checkGuardedWriteOptions(values);
  const type = existing?.type ?? request.type;
  if (!type) throw new ParameterNotFoundError(name, "pass a type to create it");
  const shown = type === "SecureString" ? "(SecureString)" : value;
  const problems = ssmWriteProblems(name, value, existing, request.type);
  if (problems.length > 0)
    throw new OperatorError(`SSM would refuse this value of ${name}: ${problems.join("; ")}. Nothing was written`);
  const version = (existing?.version ?? 0) + 1;
  out.print(`pre-flight of ${name} = ${shown} (version ${version}):`);
  const limit = existing ? maxValueBytes(existing.tier) : MAX_STANDARD_VALUE_BYTES;
  out.print(
    `  SSM: ok (${type}, ${existing?.tier ?? "Standard"} tier, ${Buffer.byteLength(value, "utf8")} of ${limit} bytes` +
      `${existing?.allowedPattern ? `, matches allowedPattern ${existing.allowedPattern}` : ""})`,
  );

  if (values["no-preflight"]) {
    out.print("  fleet: not asked (--no-preflight)");
  } else if (type === "SecureString") {
    out.print("  fleet: not asked (a SecureString's value never travels on the refresh call)");
  } else {
    if (!names) throw new PipelineSettingsError("the pre-flight needs the pipeline's names");
    const report = await askFleetFirst(
      { ...clients, ...names },
      { name, value, type, currentVersion: existing?.version ?? 0 },
    ).catch((error: unknown) => {
      throw explainFleetReadError(error, names, target.connection);
    });
    if (report.answers.length === 0) {
      out.print(`  fleet: no instance is registered in ${names.namespaceName}/${names.serviceName}: nobody to ask`);
    } else {
      const plural = report.answers.length === 1 ? "" : "s";
      out.print(`  fleet: ${report.answers.length} registered instance${plural} asked (Validate):`);
      const rows = report.answers.map((answer) => [
        answer.verdict === "accepts" ? " " : "!",
        answer.instanceId,
        answer.address || "-",
        describeAnswer(answer),
      ]);
      for (const line of textTable(["", "instance", "address", "answer"], rows)) out.print(`  ${line}`);
    }
    const verdict = preflightVerdict(report, command);
    if (verdict && !values.force) throw verdict;
    if (verdict) out.print(`  --force: writing anyway (${verdict.message.split(". Nothing was written")[0]})`);
  }

  const emit = values["emit-event"] ?? (values["no-emit-event"] ? false : target.connection.endpoint !== undefined);
  const written = await writeParameter(clients.ssm, name, value, {
    type,
    ...(request.description !== undefined ? { description: request.description } : {}),
    ...(existing ? { tier: existing.tier } : {}),
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
    `${name} = ${shown}: version ${written.version} (${written.operation === "Create" ? "created" : "updated"})`,
  );
  out.print(
    written.eventId
      ? `  change event relayed to EventBridge (event ${written.eventId})`
      : "  no change event relayed (Parameter Store emits its own in AWS)",
  );
  if (!values.wait) return 0;
  if (!names) throw new PipelineSettingsError("--wait needs the pipeline's names");

  // The write is done; what is left, watching the fleet, is status's job inside the VPC.
  const wait = await waitForFleetVersion(
    { ...clients, ...names },
    name,
    written.version,
    timeoutSeconds * 1_000,
    "status",
  ).catch((error: unknown) => {
    throw explainFleetReadError(error, names, target.connection);
  });
  if (wait.held) {
    const plural = wait.registered === 1 ? "" : "s";
    out.print(`  every instance holds version ${written.version} (${wait.registered} instance${plural})`);
    return 0;
  }
  const describeBehind = (i: (typeof wait.behind)[number]): string =>
    `${i.instanceId} (${i.error ?? `holds ${i.held?.has(name) ? `v${i.held.get(name)}` : "nothing"}`})`;
  out.print(
    wait.registered === 0
      ? `  no instance is registered in ${names.namespaceName}/${names.serviceName}`
      : `  after ${timeoutSeconds} s, ${wait.behind.length} of ${wait.registered} instances ` +
          `do not hold version ${written.version}: ${wait.behind.map(describeBehind).join(", ")}`,
  );
  return 1;
}

/** One instance's answer, as the pre-flight table shows it. */
function describeAnswer(answer: PreflightAnswer): string {
  if (answer.verdict === "accepts") return "would accept";
  if (answer.verdict === "refuses") return `WOULD REFUSE: ${answer.reason} ${answer.detail}`;
  return `${answer.unanswered ? "NO ANSWER" : "CANNOT TELL"}: ${answer.detail}`;
}
