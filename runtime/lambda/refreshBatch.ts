import type { SSMClient } from "@aws-sdk/client-ssm";
import { readRefreshInput, type ParameterStoreChange } from "./events";
import type { RefreshFanOut } from "./fanout";
import type { RefreshLogger } from "./observability";
import { fetchCurrentParameters, isParameterName } from "./parameters";
import type { StreamPublisher } from "./stream";
import type { RefreshResult, SkippedChange } from "./types";

/** What one invocation works with (built once per container by `createRefreshHandler`). */
export interface RefreshBatchParts {
  parameterPrefix: string;
  ssm: SSMClient;
  /** Resolves the publisher (its Redis connection may need the AUTH token read first). */
  publisher(): Promise<StreamPublisher>;
  /** Absent when no Cloud Map service is configured: the stream is then the only path. */
  fanOut?: RefreshFanOut;
  logger: RefreshLogger;
}

/** At most this many per-record log lines per invocation (a poisoned batch must not flood CloudWatch). */
const MAX_RECORD_LINES = 20;

/**
 * One invocation: read the input, keep the names under the prefix, read their current state
 * (⌈names/10⌉ `GetParameters`), publish what is newer than the stream holds (one script call), then
 * refresh the instances concerned with what was newly published (Cloud Map is asked for them while
 * SSM is read, one `DiscoverInstances` per scope).
 *
 * @throws `ParameterStoreError` / `StreamPublishError` when SSM or Redis fail: the event must be
 * retried. Bad records, unknown names and unreachable instances are reported, never thrown.
 */
export async function refreshBatch(
  input: unknown,
  parts: RefreshBatchParts,
  remainingTimeMs?: () => number,
): Promise<RefreshResult> {
  const { logger } = parts;
  const { changes, rejected } = readRefreshInput(input);
  for (const record of rejected.slice(0, MAX_RECORD_LINES)) logger.warn("input record rejected", { ...record });
  if (rejected.length > MAX_RECORD_LINES)
    logger.warn("more input records rejected", { count: rejected.length - MAX_RECORD_LINES });

  const skipped: SkippedChange[] = [];
  const byName = new Map<string, ParameterStoreChange[]>();
  for (const change of changes) {
    const ignored = !change.name.startsWith(parts.parameterPrefix)
      ? "outside-prefix"
      : !isParameterName(change.name)
        ? "invalid-name"
        : undefined;
    if (ignored) {
      if (!skipped.some((s) => s.name === change.name)) {
        skipped.push({ name: change.name, reason: ignored });
        logger.info(
          ignored === "outside-prefix" ? "ignored: name outside the prefix" : "ignored: not a parameter name",
          {
            name: change.name.slice(0, 300),
            prefix: parts.parameterPrefix,
            eventId: change.eventId,
            source: change.source,
          },
        );
      }
      continue;
    }
    const events = byName.get(change.name);
    if (events) events.push(change);
    else byName.set(change.name, [change]);
  }
  const result: RefreshResult = {
    published: [],
    skipped,
    rejected,
    instances: [],
    fanOutErrors: [],
    cappedDiscoveries: [],
    deregistered: [],
  };
  if (byName.size === 0) {
    logger.info("nothing to refresh", { events: changes.length, rejected: rejected.length, skipped: skipped.length });
    return result;
  }

  // Cloud Map is asked who to call while SSM is read and the stream written, not after.
  const discovery = parts.fanOut?.prefetch([...byName.keys()]);
  const current = await fetchCurrentParameters(parts.ssm, [...byName.keys()]);
  const publisher = await parts.publisher();
  const outcome = await publisher.publish(
    [...byName].map(([name, events]) => ({ name, events, current: current.get(name) })),
  );
  result.published = outcome.published;
  result.skipped.push(...outcome.skipped);
  for (const change of outcome.published) {
    logger.info("published", {
      name: change.name,
      operation: change.operation,
      version: change.version,
      type: change.type,
      streamId: change.streamId,
      eventId: change.eventId,
      eventToPublishMs: change.publishedAt - change.changedAt,
    });
  }
  for (const skip of outcome.skipped) {
    logger.info(
      skip.reason === "label-without-new-version" ? "label moved, no new version to publish" : "not published",
      { ...skip },
    );
  }

  if (parts.fanOut && result.published.length > 0) {
    const fanOut = await parts.fanOut.refresh(result.published, remainingTimeMs, discovery);
    result.instances = fanOut.instances;
    result.fanOutErrors = fanOut.errors;
    for (const error of fanOut.errors) {
      logger.error("fan-out incomplete; instances will catch up from the stream", { error });
    }
    result.cappedDiscoveries = fanOut.capped;
    for (const detail of fanOut.capped) {
      logger.warn("discovery capped: more instances may exist, left to the stream", { detail });
    }
    result.deregistered = fanOut.stale?.deregistered.map((stale) => stale.instanceId) ?? [];
    for (const stale of fanOut.stale?.deregistered ?? []) logger.warn("stale registration deregistered", { ...stale });
    if (fanOut.stale?.suspended) logger.warn("stale registrations not counted", { detail: fanOut.stale.suspended });
    for (const error of fanOut.stale?.errors ?? []) logger.warn("stale registrations not reviewed", { error });
    for (const instance of fanOut.instances) {
      const { results, ...summary } = instance;
      if (instance.outcome === "ACK")
        logger.info("instance acknowledged", { ...summary, versions: results.map((r) => `${r.name}@${r.version}`) });
      else if (instance.outcome === "NACK") {
        logger.warn("instance refused changes", {
          ...summary,
          refused: results
            .filter((r) => r.outcome !== "ACK")
            .map(({ name, reason, detail, version }) => ({ name, reason, detail, version })),
        });
      } else logger.warn("instance unreachable; it will catch up from the stream", summary);
    }
  }
  logger.info("refresh done", {
    events: changes.length,
    names: byName.size,
    published: result.published.length,
    skipped: result.skipped.length,
    rejected: rejected.length,
    acked: count(result, "ACK"),
    nacked: count(result, "NACK"),
    unreachable: count(result, "unreachable"),
  });
  return result;
}

function count(result: RefreshResult, outcome: "ACK" | "NACK" | "unreachable"): number {
  return result.instances.filter((instance) => instance.outcome === outcome).length;
}
