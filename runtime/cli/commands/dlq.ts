import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { parseArgs } from "node:util";
import { LAMBDA_ENVIRONMENT } from "../../lambda/environment";
import { REDIS_USER_NAMES } from "../../protocol/redisAccess";
import type { PipelineNames } from "../../operator/pipeline/pipelineNames";
import { createAwsClients, type AwsClients } from "../../operator/aws/awsClients";
import type { AwsConnection } from "../../operator/aws/awsConnection";
import { explainAwsError } from "../../operator/aws/explainAwsError";
import { OPERATOR_ENVIRONMENT } from "../../operator/commandEnvironment";
import { OperatorError, PipelineSettingsError } from "../../operator/errors";
import { createLocalRefreshHandler } from "../../operator/handler/localRefreshHandler";
import { replayDeadLetters, type ReplayOutcome } from "../../operator/handler/replayDeadLetters";
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
import { REDIS_OPTIONS, resolveCommandRedis, withCommandRedis } from "./shared/commandRedis";
import { runCommand } from "./shared/runCommand";

const DLQ_URL_VARIABLE = OPERATOR_ENVIRONMENT.deadLetterQueueUrl;
const TOKEN_PARAMETER_VARIABLE = LAMBDA_ENVIRONMENT.redisAuthTokenParameter;

/** Help of `config-refresh dlq`. */
export const DLQ_HELP = `Usage: config-refresh dlq replay [options]

Re-drives the dead-letter queue's messages through the refresh handler, one message at a time, and
reports each: the changes it published and what every instance answered (ACK/NACK). A message is
deleted from the queue only after its replay succeeded; a replay that fails (SSM or Redis
unavailable) or a message that holds no Parameter Store change stays in the queue.

The handler runs here, with the settings the deployed function reads from its environment
(${LAMBDA_ENVIRONMENT.redisUrl}, ...): it needs the Redis stream (--redis-url) and Cloud Map.
Both message shapes the component's DLQ receives are read: the event itself (EventBridge's dead
letters) and Lambda's on-failure record.

The pipeline's Redis (ElastiCache) and the instances answer only inside the VPC: run dlq replay
there (a one-off ECS task in the services' subnets with their security group, or AWS CloudShell in
the VPC). When Redis does not answer within seconds, or wants a password it did not get, nothing is
replayed and the command says so (exit 3).

Options:
  --dlq-url URL         the dead-letter queue (${DLQ_URL_VARIABLE}; default: the local pipeline's queue,
                        config-refresh-<app>-<env>-dlq; in AWS, the component's deadLetterQueueUrl output)
  --redis-url URL       the Redis stream host (${LAMBDA_ENVIRONMENT.redisUrl}), required; in AWS
                        rediss://<the stack's redisEndpoint output>:6379
  --redis-auth-token-parameter NAME
                        SecureString of the Redis AUTH token, read with decryption as the deployed
                        function reads it (${TOKEN_PARAMETER_VARIABLE}; in AWS the stack's
                        redisAuthTokenParameterName output). Or the password itself in
                        ${OPERATOR_ENVIRONMENT.redisPassword} (not a flag: a command line is visible to every
                        user of the machine), or percent-encoded in the URL ("#" as %23)
  --redis-user NAME     the Redis user to authenticate as (${LAMBDA_ENVIRONMENT.redisUser}, as the function
                        reads it; or in the URL, rediss://NAME@host:6379). The component's Redis
                        takes that password as the function's user: ${REDIS_USER_NAMES.function}
  --max N               most messages replayed in this run (default 100)
  -h, --help            this help

${TARGET_HELP}

${NAME_HELP}

${EXIT_CODES_HELP}
Exit 1 when a message holds no change (left in the queue); exit 3 when a replay failed because
SSM or Redis could not be reached (left in the queue), the queue cannot be read, or Redis does not
answer from this machine or refuses its password (nothing replayed).`;

/** `config-refresh dlq replay`: see {@link DLQ_HELP}. */
export function runDlq(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...TARGET_OPTIONS,
      ...NAME_OPTIONS,
      "dlq-url": { type: "string" },
      ...REDIS_OPTIONS,
      max: { type: "string" },
    },
  });
  if (values.help) {
    out.print(DLQ_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "replay") {
    const problem = positionals.length === 0 ? "no subcommand given" : `unknown subcommand "${positionals.join(" ")}"`;
    out.error(`${problem}: the dlq command has one, replay\n\n${DLQ_HELP}`);
    return 2;
  }
  return runCommand("dlq replay", out, async () => {
    const max = values.max === undefined ? 100 : Number(values.max);
    if (!Number.isInteger(max) || max < 1 || max > 10_000)
      throw new PipelineSettingsError(`--max must be a whole number from 1 to 10000, got "${values.max}"`);
    const target = resolveCommandTarget(values, env);
    const names = resolveNames(target, values, env);
    const clients = createAwsClients(target.connection, { maxAttempts: 2 });
    try {
      const redisTarget = await resolveCommandRedis(values, env, clients, target.connection);
      if (!redisTarget)
        throw new PipelineSettingsError(
          `the handler needs the Redis stream: give --redis-url (or ${LAMBDA_ENVIRONMENT.redisUrl})`,
        );
      const givenQueueUrl = values["dlq-url"] ?? env[DLQ_URL_VARIABLE];
      const queue = await deadLetterQueue(clients, target.connection, names, givenQueueUrl);
      return await withCommandRedis(redisTarget, "dlq replay", async (redis) => {
        const handler = createLocalRefreshHandler(
          {
            prefix: names.prefix,
            redisUrl: redisTarget.url,
            streamKey: names.streamKey,
            namespaceName: names.namespaceName,
            serviceName: names.serviceName,
            refreshTokenParameter: names.refreshTokenParameter,
            ...(target.connection.endpoint ? { awsEndpoint: target.connection.endpoint } : {}),
          },
          { ...clients, redis },
        );
        try {
          out.print(`Replaying ${queue.url} through the refresh handler (prefix ${names.prefix})`);
          const outcomes = await replayDeadLetters({
            sqs: clients.sqs,
            deadLetterQueueUrl: queue.url,
            deadLetterQueueArn: queue.arn,
            region: target.connection.region ?? "us-east-1",
            handler,
            maxMessages: max,
            onOutcome: (outcome) => out.print(describe(outcome)),
          }).catch((error: unknown) => {
            const action = `read the dead-letter queue ${queue.url}`;
            throw explainAwsError(error, { connection: target.connection, service: "SQS", action });
          });
          return summarize(outcomes, out);
        } finally {
          await handler.close();
        }
      });
    } finally {
      clients.destroy();
    }
  });
}

/** Prints the run's last line; the exit code: 3 a replay failed, 1 a message left, 0 all replayed. */
function summarize(outcomes: readonly ReplayOutcome[], out: Output): number {
  const replayed = outcomes.filter((o) => o.status === "replayed").length;
  const failed = outcomes.filter((o) => o.status === "failed").length;
  const left = outcomes.length - replayed;
  const plural = outcomes.length === 1 ? "" : "s";
  const rest =
    left > 0 ? `; ${left} left in the dead-letter queue` : "; the dead-letter queue holds none of them any more";
  out.print(
    outcomes.length === 0
      ? "The dead-letter queue is empty: nothing to replay."
      : `Replayed ${replayed} of ${outcomes.length} message${plural}${rest}.`,
  );
  return failed > 0 ? 3 : left > 0 ? 1 : 0;
}

/** The DLQ's URL and ARN: the given URL, else the local pipeline's queue by name. */
async function deadLetterQueue(
  clients: AwsClients,
  connection: AwsConnection,
  names: PipelineNames,
  givenUrl: string | undefined,
): Promise<{ url: string; arn: string }> {
  let url = givenUrl;
  try {
    if (!url)
      url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetterQueueName }))).QueueUrl ?? "";
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    return { url, arn: Attributes?.QueueArn ?? "" };
  } catch (error) {
    const name = (error as Error).name;
    if (name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue") {
      throw new OperatorError(
        `there is no dead-letter queue ${url ?? names.deadLetterQueueName} at ${connection.label}: ` +
          "give --dlq-url (in AWS, the component's deadLetterQueueUrl output)",
      );
    }
    throw explainAwsError(error, {
      connection,
      service: "SQS",
      action: `find the dead-letter queue ${url ?? names.deadLetterQueueName}`,
    });
  }
}

function describe(outcome: ReplayOutcome): string {
  const id = outcome.messageId.slice(0, 8);
  if (outcome.status === "failed") return `${"FAILED".padEnd(12)}  ${id}  ${outcome.error} (left in the queue)`;
  if (outcome.status === "not-a-change")
    return `${"NOT A CHANGE".padEnd(12)}  ${id}  ${outcome.error} (left in the queue)`;
  const result = outcome.result;
  if (!result) throw new Error(`replayed dead letter ${outcome.messageId} carries no result`);
  const published = result.published.map((c) => `${c.name} v${c.version}`);
  const skipped = result.skipped.map((s) => `${s.name} (${s.reason})`);
  const count = (o: string): number => result.instances.filter((i) => i.outcome === o).length;
  const instances =
    result.instances.length > 0
      ? `; instances: ${count("ACK")} ACK, ${count("NACK")} NACK, ${count("unreachable")} unreachable`
      : "";
  const parts = [
    published.length ? `published ${published.join(", ")}` : "",
    skipped.length ? `already current: ${skipped.join(", ")}` : "",
  ];
  const deleteFailed = outcome.deleteFailed ? " (could not be deleted: it will be replayed again, harmlessly)" : "";
  return `${"replayed".padEnd(12)}  ${id}  ${parts.filter(Boolean).join("; ")}${instances}${deleteFailed}`;
}
