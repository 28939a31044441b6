import type { SSMClient } from "@aws-sdk/client-ssm";
import type Redis from "ioredis";
import { describeError } from "../../common/errors";
import { StreamPublishError } from "../errors";
import type { RefreshFanOut } from "../fanout";
import type { RefreshLogger } from "../observability";
import type { StreamPublisher } from "../stream";
import type { RefreshResult } from "../types";
import { planReconcile } from "./planReconcile";
import { readPrefixParameters } from "./readPrefixParameters";
import { readPublishedHash } from "./readPublishedHash";

/** What a reconcile invocation works with (the same clients as the change events'). */
export interface ReconcileParts {
  parameterPrefix: string;
  ssm: SSMClient;
  /** The stream's connection and its publisher (the idempotent publish of the change events). */
  connection(): Promise<{ redis: Redis; publisher: StreamPublisher }>;
  fanOut?: RefreshFanOut;
  logger: RefreshLogger;
  /** Clock of the sweep's start, epoch ms (tests). */
  now?(): number;
}

/**
 * One reconcile sweep: reads the whole prefix once (`GetParametersByPath`, ⌈parameters/10⌉ calls,
 * no decryption), reads the `published` hash, and publishes through the same idempotent script
 * every name the events did not: newer in SSM, never published, or deleted. The healed changes are
 * then refreshed on the instances like any change. With no event lost it publishes nothing.
 *
 * @throws `ParameterStoreError` / `StreamPublishError` when SSM or Redis fail (the next sweep retries).
 *
 * @example
 * ```ts
 * const result = await reconcileBatch({ parameterPrefix, ssm, connection, logger });
 * result.reconciled?.healed; // 0 when no event was lost
 * ```
 */
export async function reconcileBatch(parts: ReconcileParts, remainingTimeMs?: () => number): Promise<RefreshResult> {
  const { logger } = parts;
  const sweptAt = (parts.now ?? Date.now)();
  const sweep = await readPrefixParameters(parts.ssm, parts.parameterPrefix);
  const { redis, publisher } = await parts.connection();
  let held: Map<string, string>;
  try {
    held = await readPublishedHash(redis, publisher.keys.published);
  } catch (error) {
    throw new StreamPublishError(`cannot read ${publisher.keys.published}: ${describeError(error)}`, { cause: error });
  }
  const plan = planReconcile(parts.parameterPrefix, sweep.parameters, held, sweptAt);
  const outcome = await publisher.publish(plan.names);
  const result: RefreshResult = {
    published: outcome.published,
    skipped: outcome.skipped,
    rejected: [],
    instances: [],
    fanOutErrors: [],
    cappedDiscoveries: [],
    deregistered: [],
    reconciled: { parameters: sweep.parameters.size, pages: sweep.pages, healed: outcome.published.length },
  };
  for (const change of outcome.published) {
    // Each line is a change no event published: a lost event, a failed invocation, or a flushed stream.
    logger.warn("reconciled: published a change no event had", {
      name: change.name,
      operation: change.operation,
      version: change.version,
      streamId: change.streamId,
    });
  }
  if (parts.fanOut && outcome.published.length > 0) {
    const fanOut = await parts.fanOut.refresh(outcome.published, remainingTimeMs);
    result.instances = fanOut.instances;
    result.fanOutErrors = fanOut.errors;
    result.cappedDiscoveries = fanOut.capped;
    result.deregistered = fanOut.stale?.deregistered.map((stale) => stale.instanceId) ?? [];
  }
  logger.info("reconcile done", {
    parameters: sweep.parameters.size,
    pages: sweep.pages,
    published: held.size,
    candidates: plan.names.length,
    healed: outcome.published.length,
    deletions: plan.deletions,
    instances: result.instances.length,
  });
  return result;
}
