import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RefreshResult, SkipReason } from "../types";
import type { RefreshMetrics } from "./telemetry";

/** The metric names, for dashboards and alarms. */
export const REFRESH_METRICS = {
  /** Changes newly put on the stream. */
  published: "Published",
  /** Names that were already on the stream (repeated, late or label-only events). */
  duplicates: "Duplicates",
  /** Names ignored: outside the prefix, or not a valid parameter name. */
  skipped: "Skipped",
  /** Input records that were not Parameter Store change events. */
  rejectedRecords: "RejectedRecords",
  /** Instances that applied every change. */
  acked: "Acked",
  /** Instances that refused at least one change (their schema, an older version...). */
  nacked: "Nacked",
  /** Instances that did not answer after the retries. */
  unreachable: "Unreachable",
  /** Discoveries that failed (Cloud Map down). */
  fanOutErrors: "FanOutErrors",
  /** Discoveries that came back full (1000, Cloud Map's cap): more instances may exist, left to the stream. */
  cappedDiscoveries: "CappedDiscoveries",
  /** Instances whose address answered as another instance (an address reused by a new task). */
  otherInstanceAnswers: "OtherInstanceAnswers",
  /** Stale registrations deregistered. */
  deregistered: "Deregistered",
  /** Per invocation: the most gRPC channels (sockets) open at once; bounded by the fan-out's concurrency. */
  openChannelsPeak: "OpenChannelsPeak",
  /** Per published change: ms from the event's time to the XADD. */
  eventToPublishLatency: "EventToPublishLatency",
  /** Per instance that answered: ms from the first attempt to the answer. */
  refreshCallLatency: "RefreshCallLatency",
  /** Reconcile sweeps only: changes published that no event had (non-zero means events are lost: alarm on it). */
  reconciled: "Reconciled",
  /** Reconcile sweeps only: `GetParametersByPath` calls of the sweep. */
  reconcileSweepPages: "ReconcileSweepPages",
  /** Invocations that threw so the event is retried (SSM or Redis unavailable). */
  retryableFailures: "RetryableFailures",
} as const;

const IGNORED: readonly SkipReason[] = ["outside-prefix", "invalid-name"];

/** Records one invocation's result (every count, zeros included, so dashboards have no gaps). */
export function recordRefreshMetrics(metrics: RefreshMetrics, result: RefreshResult): void {
  const count = (name: string, value: number): void => {
    metrics.addMetric(name, MetricUnit.Count, value);
  };
  count(REFRESH_METRICS.published, result.published.length);
  count(REFRESH_METRICS.duplicates, result.skipped.filter((s) => !IGNORED.includes(s.reason)).length);
  count(REFRESH_METRICS.skipped, result.skipped.filter((s) => IGNORED.includes(s.reason)).length);
  count(REFRESH_METRICS.rejectedRecords, result.rejected.length);
  count(REFRESH_METRICS.acked, result.instances.filter((i) => i.outcome === "ACK").length);
  count(REFRESH_METRICS.nacked, result.instances.filter((i) => i.outcome === "NACK").length);
  count(REFRESH_METRICS.unreachable, result.instances.filter((i) => i.outcome === "unreachable").length);
  count(REFRESH_METRICS.fanOutErrors, result.fanOutErrors.length);
  count(REFRESH_METRICS.cappedDiscoveries, result.cappedDiscoveries.length);
  const otherInstance = result.instances.filter((i) => i.unreachableReason === "other-instance");
  count(REFRESH_METRICS.otherInstanceAnswers, otherInstance.length);
  count(REFRESH_METRICS.deregistered, result.deregistered.length);
  if (result.reconciled) {
    count(REFRESH_METRICS.reconciled, result.reconciled.healed);
    count(REFRESH_METRICS.reconcileSweepPages, result.reconciled.pages);
  }
  for (const change of result.published) {
    metrics.addMetric(
      REFRESH_METRICS.eventToPublishLatency,
      MetricUnit.Milliseconds,
      Math.max(0, change.publishedAt - change.changedAt),
    );
  }
  for (const instance of result.instances) {
    if (instance.outcome !== "unreachable")
      metrics.addMetric(REFRESH_METRICS.refreshCallLatency, MetricUnit.Milliseconds, instance.latencyMs);
  }
}
