import {
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  type Parameter,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { setTimeout as delay } from "node:timers/promises";
import { PARAMETER_TYPES, type ParameterType } from "../../protocol";
import { backoffDelay, type ReconnectBackoff } from "../stream/redisConnection";
import { isThrottlingError } from "./throttling";

/** A parameter as read from SSM (decrypted). */
export interface LoadedParameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly value: string;
  readonly version: number;
  /** SSM's LastModifiedDate, epoch ms. */
  readonly modifiedAt: number;
}

/** Most results per `GetParametersByPath` page (SSM's limit). */
export const PARAMETERS_PAGE_SIZE = 10;

/** How a throttled page is read again, past the SDK's own retries: doubling waits with jitter. */
export interface ThrottledPageRetry extends ReconnectBackoff {
  /** Reads of one page in all; the last throttled one throws. */
  attempts: number;
}

/**
 * SSM shares its `GetParametersByPath` quota among every reader of the account and region: a fleet
 * booting at once is throttled (1,000 starts of 2 pages are 50 s of the whole 40/s quota), and each
 * page waits its turn, about 2 minutes at most in all, rather than failing the start.
 */
export const THROTTLED_PAGE_RETRY: ThrottledPageRetry = { attempts: 12, minDelayMs: 250, maxDelayMs: 16_000 };

/**
 * Every parameter under `path`, recursively, decrypted, following every page. A throttled page is
 * read again after a wait (`retry`), resuming where the load was, not from its first page. Throws
 * what the SDK throws otherwise; the caller decides whether that stops a start or delays a reload.
 *
 * @example
 * ```ts
 * const parameters = await loadParameters(new SSMClient({ retryMode: "adaptive" }), "/shop/beta/");
 * ```
 */
export async function loadParameters(
  ssm: SSMClient,
  path: string,
  retry: ThrottledPageRetry = THROTTLED_PAGE_RETRY,
): Promise<LoadedParameter[]> {
  const loaded: LoadedParameter[] = [];
  await forEachParameter(ssm, path, (parameter) => loaded.push(parameter), retry);
  return loaded;
}

/**
 * Hands every parameter under `path` to `visit` as its page arrives, keeping none: what a start
 * uses to build its state without a second copy of everything loaded. Pages are read as by
 * {@link loadParameters} (a throttled one again after a wait); throws what it throws.
 */
export async function forEachParameter(
  ssm: SSMClient,
  path: string,
  visit: (parameter: LoadedParameter) => void,
  retry: ThrottledPageRetry = THROTTLED_PAGE_RETRY,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await readPage(ssm, path, nextToken, retry);
    for (const parameter of page.Parameters ?? []) {
      const read = toLoadedParameter(parameter);
      if (read) visit(read);
    }
    nextToken = page.NextToken;
  } while (nextToken);
}

async function readPage(
  ssm: SSMClient,
  path: string,
  nextToken: string | undefined,
  retry: ThrottledPageRetry,
): Promise<GetParametersByPathCommandOutput> {
  const command = new GetParametersByPathCommand({
    Path: path,
    Recursive: true,
    WithDecryption: true,
    MaxResults: PARAMETERS_PAGE_SIZE,
    ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await ssm.send(command);
    } catch (error) {
      if (attempt >= retry.attempts || !isThrottlingError(error)) throw error;
      await delay(backoffDelay(attempt, retry));
    }
  }
}

/** A parameter of an SSM answer, or undefined when a field this library needs is missing. */
export function toLoadedParameter(parameter: Parameter): LoadedParameter | undefined {
  const { Name: name, Type: type, Value: value, Version: version, LastModifiedDate: modified } = parameter;
  if (
    !name ||
    value === undefined ||
    version === undefined ||
    !type ||
    !PARAMETER_TYPES.includes(type as ParameterType)
  )
    return undefined;
  return { name, type: type as ParameterType, value, version, modifiedAt: modified ? modified.getTime() : 0 };
}
