import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { fullParameterName } from "../../operator/pipeline/pipelineNames";
import { createAwsClients } from "../../operator/aws/awsClients";
import { explainAwsError } from "../../operator/aws/explainAwsError";
import type { CommandResult, Output } from "../output";
import { EXIT_CODES_HELP, resolveCommandTarget, TARGET_HELP, TARGET_OPTIONS } from "./shared/commandTarget";
import { oneName, parseCommandLine } from "./shared/parseCommandLine";
import { runCommand } from "./shared/runCommand";

/** Help of `config-refresh get`. */
export const GET_HELP = `Usage: config-refresh get NAME [options]

Reads one parameter from Parameter Store: its value, type, version and when it last changed.
NAME is a full name (/shop/beta/log_level) or relative to the prefix (log_level).

Options:
  --decrypt             show a SecureString's value (hidden otherwise)
  --json                one JSON object {name, value, type, version, lastModified} instead of text
  -h, --help            this help

${TARGET_HELP}

${EXIT_CODES_HELP}
Unknown parameter: exit 1.`;

/**
 * `config-refresh get NAME`: prints the parameter; exit 0, 1 when it does not exist, 2 usage, 3
 * when SSM cannot be reached or there are no credentials.
 */
export function runGet(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const line = parseCommandLine(argv, out, {
    options: { ...TARGET_OPTIONS, decrypt: { type: "boolean" }, json: { type: "boolean" } },
    help: GET_HELP,
    usageProblem: oneName("get"),
  });
  if (!line.ok) return line.exitCode;
  const { values } = line;
  const rawName = line.positionals[0] as string;
  return runCommand("get", out, async () => {
    const target = resolveCommandTarget(values, env);
    const name = fullParameterName(rawName, target.prefix);
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const { Parameter: parameter } = await clients.ssm
        .send(new GetParameterCommand({ Name: name, WithDecryption: values.decrypt ?? false }))
        .catch((error: unknown) => {
          throw explainAwsError(error, {
            connection: target.connection,
            service: "SSM",
            action: `read ${name} (ssm:GetParameter)`,
            parameterName: name,
          });
        });
      const secret = parameter?.Type === "SecureString" && !values.decrypt;
      const value = secret ? undefined : parameter?.Value;
      const modified = parameter?.LastModifiedDate?.toISOString();
      if (values.json) {
        out.print(
          JSON.stringify({
            name,
            ...(value !== undefined ? { value } : {}),
            type: parameter?.Type,
            version: parameter?.Version,
            lastModified: modified,
          }),
        );
      } else {
        out.print(`${name} = ${secret ? "(SecureString: hidden, --decrypt shows it)" : value}`);
        out.print(`  ${parameter?.Type}, version ${parameter?.Version}, last modified ${modified ?? "unknown"}`);
      }
      return 0;
    } finally {
      clients.destroy();
    }
  });
}
