import { GetParameterCommand, GetParametersByPathCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { createRefreshClient, type StateResponse } from "../../protocol/refreshService";
import { refreshTokenMetadata } from "../../protocol/refreshToken";
import { discoverRegisteredInstances, gotNoAnswer, type FleetLocation } from "./registeredInstances";

/** Where a fleet is and how to ask it. */
export interface FleetStateQuery extends FleetLocation {
  prefix: string;
  /** Deadline of one `State` call, ms (default {@link STATE_DEADLINE_MS}). */
  deadlineMs?: number;
}

/** A name where an instance does not hold what SSM holds. */
export interface Divergence {
  name: string;
  /** Version the instance holds; `undefined` when it holds nothing under that name. */
  held?: number;
  /** Version SSM holds; `undefined` when the parameter no longer exists. */
  current?: number;
  /** Why the instance refused SSM's current version, when it did: the key is held back, not lagging. */
  refused?: string;
}

/** One registered instance, against SSM. */
export interface InstanceState {
  instanceId: string;
  /** `host:port` registered in Cloud Map (empty when none). */
  address: string;
  /** Cloud Map health status (`HEALTHY`, `UNHEALTHY`, `UNKNOWN`). */
  health: string;
  /** Name → version held, when the instance answered `State`. */
  held?: Map<string, number>;
  /** Why `State` could not be read (unreachable, refused the token). */
  error?: string;
  /**
   * True when the `State` call got no answer at all (its deadline passed, or there is no route to the
   * address): how every instance looks from outside the VPC. A refused connection is an answer.
   */
  unanswered?: boolean;
  /** Every name held differently from SSM (empty when converged). */
  divergence: Divergence[];
  /** Answered, and holds exactly SSM's current versions. */
  converged: boolean;
}

/** The whole fleet against SSM, at one moment. */
export interface FleetState {
  prefix: string;
  /** SSM's current version of every parameter under the prefix. */
  current: Map<string, number>;
  instances: InstanceState[];
  /** At least one instance, and every one converged. */
  converged: boolean;
  /** When SSM was read (epoch ms). */
  readAt: number;
}

/** Default deadline of one `State` call: bounded, so an instance that does not answer costs seconds, not minutes. */
export const STATE_DEADLINE_MS = 2_000;

/** Pages of GetParametersByPath read at most (10 names a page: 10,000 parameters, SSM's standard quota). */
const MAX_PATH_PAGES = 1_000;

/**
 * Reads SSM's current versions under the prefix, every instance registered in Cloud Map (healthy
 * or not), and what each one holds through the `State` RPC (in parallel, each with its deadline),
 * then compares them name by name.
 *
 * @throws the AWS SDK's error when SSM or Cloud Map cannot be read (see `explainAwsError`). An
 * instance that does not answer is reported in its {@link InstanceState}, never thrown.
 *
 * @example
 * ```ts
 * const state = await readFleetState({
 *   ssm,
 *   serviceDiscovery,
 *   prefix: "/shop/beta/",
 *   namespaceName,
 *   serviceName,
 *   refreshTokenParameter,
 * });
 * state.instances.filter((i) => !i.converged).map((i) => i.divergence);
 * ```
 */
export async function readFleetState(query: FleetStateQuery): Promise<FleetState> {
  const [token, current, registered] = await firstFailureInOrder([
    query.ssm
      .send(new GetParameterCommand({ Name: query.refreshTokenParameter, WithDecryption: true }))
      .then((answer) => answer.Parameter?.Value ?? ""),
    readCurrentVersions(query.ssm, query.prefix),
    discoverRegisteredInstances(query.serviceDiscovery, query.namespaceName, query.serviceName),
  ] as const);
  const readAt = Date.now();
  const instances = await Promise.all(
    registered.map(async (instance): Promise<InstanceState> => {
      if (!instance.address)
        return { ...instance, error: "registered without an address", divergence: [], converged: false };
      try {
        const state = await callState(instance.address, token, query.prefix, query.deadlineMs ?? STATE_DEADLINE_MS);
        const held = new Map(state.parameters.map((p) => [p.name, Number(p.version)]));
        const refused = new Map((state.heldBack ?? []).map((p) => [p.name, p]));
        const divergence = compare(current, held).map((d) => {
          const back = refused.get(d.name);
          return back && d.current !== undefined && Number(back.refusedVersion) === d.current
            ? { ...d, refused: back.detail }
            : d;
        });
        return { ...instance, held, divergence, converged: divergence.length === 0 };
      } catch (error) {
        const unanswered = gotNoAnswer(error);
        return { ...instance, error: (error as Error).message, unanswered, divergence: [], converged: false };
      }
    }),
  );
  instances.sort((a, b) => a.instanceId.localeCompare(b.instanceId, undefined, { numeric: true }));
  return {
    prefix: query.prefix,
    current,
    instances,
    converged: instances.length > 0 && instances.every((i) => i.converged),
    readAt,
  };
}

/**
 * Name → current version of every parameter under `prefix` (recursive, no decryption).
 *
 * @example
 * ```ts
 * (await readCurrentVersions(ssm, "/shop/beta/")).get("/shop/beta/log_level"); // 3
 * ```
 */
export async function readCurrentVersions(ssm: SSMClient, prefix: string): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PATH_PAGES; page++) {
    const answer = await ssm.send(
      new GetParametersByPathCommand({
        Path: prefix.replace(/\/$/, ""),
        Recursive: true,
        WithDecryption: false,
        MaxResults: 10,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const parameter of answer.Parameters ?? [])
      if (parameter.Name) versions.set(parameter.Name, parameter.Version ?? 0);
    token = answer.NextToken;
    if (!token) break;
  }
  return versions;
}

/** One `State` call with the token, within `deadlineMs`; a failure keeps the gRPC status as `code`. */
export function callState(address: string, token: string, prefix: string, deadlineMs: number): Promise<StateResponse> {
  const client = createRefreshClient(address);
  return new Promise<StateResponse>((resolve, reject) => {
    client.State({ prefix }, refreshTokenMetadata(token), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (!error) return resolve(response as StateResponse);
      const detail = error.details || error.message;
      reject(Object.assign(new Error(`State call to ${address} failed: ${detail}`), { code: error.code }));
    });
  }).finally(() => client.close());
}

function compare(current: Map<string, number>, held: Map<string, number>): Divergence[] {
  const divergence: Divergence[] = [];
  for (const [name, version] of current) {
    const heldVersion = held.get(name);
    if (heldVersion !== version)
      divergence.push({ name, current: version, ...(heldVersion !== undefined ? { held: heldVersion } : {}) });
  }
  for (const [name, version] of held) if (!current.has(name)) divergence.push({ name, held: version });
  return divergence.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Awaits every read, then throws the failure of the first one that failed in the order given
 * (not the first to fail in time), so one situation always gets the same explanation: a missing
 * token means "no pipeline here" even when Cloud Map answered "no namespace" sooner.
 */
async function firstFailureInOrder<T extends readonly unknown[]>(
  reads: { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
