import type { NackReason, ParameterResult, StreamMessage } from "../../protocol";
import type { RevertReport } from "../revert/revertReport";

/** A change this invocation put on the stream. */
export interface PublishedChange extends StreamMessage {
  /** The stream entry id (`<ms>-<seq>`), as `XRANGE` shows it. */
  streamId: string;
}

/**
 * Why a name of the batch published nothing.
 * - `outside-prefix`: the name is not under the function's parameter prefix (ignored, logged);
 * - `invalid-name`: not a name Parameter Store accepts (it could never be fetched);
 * - `duplicate`: this exact revision is already on the stream (a repeated event);
 * - `older-than-published`: a newer revision is already on the stream (an event that arrived late,
 *   a slower concurrent invocation, or a deletion older than the revision the stream holds);
 * - `label-without-new-version`: a label moved, the current version is already on the stream;
 * - `already-deleted`: the deletion is already on the stream.
 */
export type SkipReason =
  | "outside-prefix"
  | "invalid-name"
  | "duplicate"
  | "older-than-published"
  | "label-without-new-version"
  | "already-deleted";

/** A name of the batch that published nothing, and why. */
export interface SkippedChange {
  name: string;
  reason: SkipReason;
}

/** A record of the input that was not a Parameter Store change event (counted, logged, never a crash). */
export interface RejectedRecord {
  /** Where it was: `event[2]`, `record[0] (SQS message 5f1c…)`. */
  source: string;
  /** Why it was rejected, as a sentence. */
  reason: string;
}

/** What one instance did with the `Refresh` call. */
export type InstanceOutcome = "ACK" | "NACK" | "unreachable";

/**
 * Why an instance counts as unreachable.
 * - `no-answer`: nothing answered at its address (refused, reset, past the deadline) after the retries;
 * - `other-instance`: the address answered as another instance (it was reused by a new task): the
 *   registration is stale and the change was not acknowledged by the instance discovered;
 * - `refused`: the instance answered with an error (`UNAUTHENTICATED`, `UNIMPLEMENTED`...);
 * - `out-of-time`: past a deadline cut short by the invocation's remaining time (no evidence either way);
 * - `no-address`: it registered no usable address; `no-token`: the refresh token could not be read.
 * `no-answer` and `other-instance` count toward deregistering the registration (README, "Stale registrations").
 */
export type UnreachableReason = "no-answer" | "other-instance" | "refused" | "out-of-time" | "no-address" | "no-token";

/** The answer of one instance. */
export interface InstanceRefreshResult {
  /** Cloud Map instance id. */
  instanceId: string;
  /** `host:port` called (empty when the instance registered no address). */
  address: string;
  /**
   * `ACK`: every change applied (or already held); `NACK`: the instance answered and refused at least
   * one change (`results` say why; not a failure of the function); `unreachable`: no answer after the
   * retries (`error` says what happened).
   */
  outcome: InstanceOutcome;
  /** Per parameter, as the instance answered (empty when unreachable). */
  results: ParameterResult[];
  /** Names of the call that the answer did not mention (a misbehaving instance); counted as NACK. */
  missing?: string[];
  /** The last error, for `unreachable`: `DEADLINE_EXCEEDED: ...`, `UNAVAILABLE: ...`. */
  error?: string;
  /** For `unreachable`: why. */
  unreachableReason?: UnreachableReason;
  /** For `other-instance`: the instance id the address answered with. */
  answeredAs?: string;
  /** NACK reasons, for a quick look (`OLDER_VERSION`, `VALIDATION_FAILED`). */
  reasons?: NackReason[];
  /** Calls made (1 + retries used). */
  attempts: number;
  /** From the first attempt to the answer (or the last failure), ms. */
  latencyMs: number;
}

/**
 * What one invocation did. Returned by the handler (visible in the Lambda console's test tab and
 * in the local pipeline), and summarised in one log line and the metrics.
 *
 * @example
 * ```ts
 * const result = await refresh(event);
 * result.published.map((c) => `${c.name}@${c.version} ${c.streamId}`);
 * result.instances.filter((i) => i.outcome === "unreachable");
 * ```
 */
export interface RefreshResult {
  /** Changes newly put on the stream, in stream order. */
  published: PublishedChange[];
  /** Names that published nothing, and why. */
  skipped: SkippedChange[];
  /** Input records that were not Parameter Store change events. */
  rejected: RejectedRecord[];
  /** One entry per instance called (empty when nothing was published or no fan-out is configured). */
  instances: InstanceRefreshResult[];
  /**
   * Why part of the fan-out did not happen (Cloud Map or the refresh token unavailable). The changes
   * are on the stream: the instances' stream readers pick them up; the function did not fail.
   */
  fanOutErrors: string[];
  /**
   * Discoveries that came back full (`DiscoverInstances` returns at most 1000 instances and cannot
   * paginate), as sentences: more instances may exist, they were not called and read the change
   * from the stream. Empty when every discovery was complete.
   */
  cappedDiscoveries: string[];
  /** Cloud Map instance ids this invocation deregistered as stale (README, "Stale registrations"). */
  deregistered: string[];
  /** Each published change instances refused for their schema, and whether it was reverted in SSM. */
  reverts?: RevertReport[];
  /** A reconcile invocation only: what its sweep read and how many changes it healed. */
  reconciled?: ReconcileSummary;
}

/** What one reconcile sweep did (`healed` is normally 0: more means change events were lost). */
export interface ReconcileSummary {
  /** Parameters under the prefix. */
  parameters: number;
  /** `GetParametersByPath` calls: ⌈parameters/10⌉. */
  pages: number;
  /** Changes published that no event had published. */
  healed: number;
}
