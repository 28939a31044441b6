import type { AwsClients } from "../../../operator/aws/awsClients";
import { explainAwsError } from "../../../operator/aws/explainAwsError";
import { OperatorError, PipelineSettingsError } from "../../../operator/errors";
import { readRecordedOutcomes } from "../../../operator/history/fleetOutcomes";
import { readParameterHistory, type ParameterHistory } from "../../../operator/history/parameterHistory";
import type { PipelineNames } from "../../../operator/pipeline/pipelineNames";
import { streamKeys } from "../../../protocol/streamKeys";
import type { CommandTarget } from "./commandTarget";
import { resolveCommandRedis, withCommandRedis } from "./commandRedis";

/** Where the history's fleet outcomes came from, for the commands' first line. */
export interface HistorySource {
  history: ParameterHistory;
  /** `<acks key> at <redis label>`, when the acks stream was read. */
  acksFrom?: string;
}

/**
 * Reads a parameter's history from SSM and, when a Redis URL was given, the fleet's outcomes from
 * the acks stream (checking at once that Redis answers from here). Without one, each outcome is
 * unknown and says why.
 *
 * @throws the explained AWS error, `UnreachableFromHereError` / `RedisPasswordError` (exit 3), an
 * {@link OperatorError} when the Redis user may not read the acks stream.
 */
export async function readHistoryWithOutcomes(
  context: {
    command: string;
    target: CommandTarget;
    clients: AwsClients;
    names: PipelineNames | undefined;
    values: Parameters<typeof resolveCommandRedis>[0];
    env: NodeJS.ProcessEnv;
  },
  name: string,
  decrypt: boolean,
): Promise<HistorySource> {
  const { command, target, clients, names, values, env } = context;
  const redisTarget = await resolveCommandRedis(values, env, clients, target.connection);
  const read = (recorded?: Awaited<ReturnType<typeof readRecordedOutcomes>>) =>
    readParameterHistory(clients.ssm, name, {
      decrypt,
      ...(recorded ? { recorded } : { unrecordedWhy: "no --redis-url: the acks stream was not read" }),
    }).catch((error: unknown) => {
      throw explainAwsError(error, {
        connection: target.connection,
        service: "SSM",
        action: `read the history of ${name} (ssm:GetParameterHistory)`,
        parameterName: name,
      });
    });
  if (!redisTarget) return { history: await read() };
  if (!names)
    throw new PipelineSettingsError(
      "the acks stream's key comes from the pipeline's prefix: give --prefix /<app>/<env>/ (or --app and --env)",
    );
  const acksKey = streamKeys(names.streamKey).acks;
  const recorded = await withCommandRedis(
    redisTarget,
    command,
    (redis) =>
      readRecordedOutcomes(redis, acksKey, name).catch((error: unknown) => {
        if (/NOPERM/.test((error as Error).message))
          throw new OperatorError(
            `the Redis user in use may not read the acks stream ${acksKey} (NOPERM): read it as the services' ` +
              "user, --redis-url rediss://config-refresh-service@<redisEndpoint>:6379 --redis-auth-token-parameter " +
              "<redisServicePasswordParameterName> (both stack outputs)",
          );
        throw error;
      }),
    true,
  );
  return { history: await read(recorded), acksFrom: `${acksKey} at ${redisTarget.label}` };
}
