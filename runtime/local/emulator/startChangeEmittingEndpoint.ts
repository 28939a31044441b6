import { SSMClient } from "@aws-sdk/client-ssm";
import { awsClientConfig, createAwsClients, type AwsClients } from "../../operator/aws/awsClients";
import type { AwsConnection } from "../../operator/aws/awsConnection";
import type { CleanupStack } from "../pipeline/cleanupStack";
import type { LocalMotoServer } from "../servers/motoServer";
import type { ProgressEvent } from "../types/options";
import { ChangeEmittingEndpoint } from "./ChangeEmittingEndpoint";

/**
 * Starts the {@link ChangeEmittingEndpoint} in front of the pipeline's own moto and registers its
 * stop; returns the endpoint handed out (moto's own port is for the pipeline's internals only).
 * A write whose events could not be sent is reported as progress (the writer's answer says so too).
 */
export async function startChangeEmittingEndpoint(
  moto: LocalMotoServer,
  cleanup: CleanupStack,
  progress: (event: ProgressEvent) => void,
): Promise<string> {
  const endpoint = await ChangeEmittingEndpoint.start({
    upstream: moto.endpoint,
    onEmitError: (error, write) => {
      const what = `${write.operation} ${write.names.join(", ")}`;
      progress({ step: "moto", message: `no change event sent after ${what}: ${error.message}` });
    },
  });
  cleanup.push("change-emitting endpoint", () => endpoint.stop());
  return endpoint.endpoint;
}

/**
 * The pipeline's own clients when it runs its own moto: every service through the endpoint handed out
 * (so a queue URL reads the same to the pipeline and to any other client), except SSM, which reaches
 * moto directly: the pipeline's writes relay their events themselves, and a plain `PutParameter`
 * through `pipeline.clients.ssm` stays a write whose event never came (how tests make a fleet diverge).
 */
export function pipelineClients(connection: AwsConnection, moto: LocalMotoServer): AwsClients {
  const { ssm: unused, ...others } = createAwsClients(connection);
  unused.destroy();
  const ssm = new SSMClient(awsClientConfig({ ...connection, endpoint: moto.endpoint }));
  return {
    ...others,
    ssm,
    destroy() {
      for (const client of [ssm, others.sqs, others.eventBridge, others.serviceDiscovery]) client.destroy();
    },
  };
}
