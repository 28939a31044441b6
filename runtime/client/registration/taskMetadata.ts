import { z } from "zod";
import { describeError } from "../../common/errors";

/** The variable ECS sets in every container of a task: the base URI of the task metadata endpoint v4. */
export const TASK_METADATA_ENV = "ECS_CONTAINER_METADATA_URI_V4";

/** A port mapping of a container of the task (bridge mode: the host port Docker maps it to). */
export interface TaskPortMapping {
  container: string;
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

/** The task's network as `${ECS_CONTAINER_METADATA_URI_V4}/task` describes it. */
export interface TaskNetwork {
  /** `awsvpc` (Fargate, and EC2 with a task ENI), `bridge`, `host`, `nat` (Windows) or `none`. */
  mode: string;
  /** The addresses of the first network (awsvpc: the task ENI, `eth1` on Fargate; bridge: the container's). */
  ipv4Addresses: string[];
  ipv6Addresses: string[];
  ports: TaskPortMapping[];
  /**
   * The task's id (the last segment of `TaskARN`): the Cloud Map instance id ECS `serviceRegistries`
   * registers it under.
   */
  taskId?: string;
}

/** GETs per read, and the pause between them (the agent may be restarting). */
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;
/** The task document is a few kilobytes; anything far larger is not it. */
const MAX_BODY_CHARS = 1_000_000;

const networkSchema = z.looseObject({
  NetworkMode: z.string(),
  IPv4Addresses: z.array(z.string()).optional(),
  IPv6Addresses: z.array(z.string()).optional(),
});
const portSchema = z.looseObject({
  ContainerPort: z.number().int().optional(),
  HostPort: z.number().int().optional(),
  HostIp: z.string().optional(),
});
const taskSchema = z.looseObject({
  TaskARN: z.string().optional(),
  Containers: z.array(
    z.looseObject({
      Name: z.string().optional(),
      Networks: z.array(networkSchema).optional(),
      Ports: z.array(portSchema).optional(),
    }),
  ),
});

/**
 * Reads the task's network from the ECS task metadata endpoint v4: a bounded GET (each attempt
 * times out after `timeoutMs`, three attempts for a connection error, a time-out or a 5xx).
 * Rejects with a sentence naming the endpoint and what went wrong.
 *
 * @example
 * ```ts
 * const network = await readTaskNetwork(process.env.ECS_CONTAINER_METADATA_URI_V4!, 2_000);
 * network.ipv4Addresses[0]; // "10.0.2.106", the task ENI on Fargate
 * ```
 */
export async function readTaskNetwork(baseUri: string, timeoutMs: number): Promise<TaskNetwork> {
  const url = `${baseUri.replace(/\/+$/, "")}/task`;
  let lastProblem = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt - 1)));
    let status: number;
    let body: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      body = await response.text();
    } catch (error) {
      lastProblem =
        (error as Error).name === "TimeoutError"
          ? `did not answer within ${timeoutMs} ms`
          : `could not be reached (${describeError(error)})`;
      continue;
    }
    if (status >= 500) {
      lastProblem = `answered HTTP ${status}`;
      continue;
    }
    if (status !== 200) throw new Error(`the task metadata endpoint ${url} answered HTTP ${status}`);
    return parseTaskNetwork(url, body);
  }
  throw new Error(`the task metadata endpoint ${url} ${lastProblem} (${ATTEMPTS} attempts)`);
}

function parseTaskNetwork(url: string, body: string): TaskNetwork {
  let json: unknown;
  try {
    if (body.length > MAX_BODY_CHARS) throw new Error(`${body.length} characters`);
    json = JSON.parse(body);
  } catch (error) {
    throw new Error(`the task metadata endpoint ${url} did not answer JSON (${describeError(error)})`);
  }
  const parsed = taskSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues[0]?.message ?? "invalid";
    throw new Error(`the task metadata endpoint ${url} did not answer a task document: ${detail}`);
  }
  const containers = parsed.data.Containers;
  const network = containers.find((container) => (container.Networks?.length ?? 0) > 0)?.Networks?.[0];
  if (!network) throw new Error(`the task metadata endpoint ${url} lists no network for any container`);
  const taskId = parsed.data.TaskARN?.split("/").pop();
  return {
    ...(taskId ? { taskId } : {}),
    mode: network.NetworkMode,
    ipv4Addresses: network.IPv4Addresses ?? [],
    ipv6Addresses: network.IPv6Addresses ?? [],
    ports: containers.flatMap((container) =>
      (container.Ports ?? []).flatMap((port): TaskPortMapping[] => {
        if (port.ContainerPort === undefined) return [];
        return [
          {
            container: container.Name ?? "?",
            containerPort: port.ContainerPort,
            ...(port.HostPort !== undefined ? { hostPort: port.HostPort } : {}),
            ...(port.HostIp !== undefined ? { hostIp: port.HostIp } : {}),
          },
        ];
      }),
    ),
  };
}
