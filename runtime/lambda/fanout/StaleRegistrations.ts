import { DeregisterInstanceCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import type Redis from "ioredis";
import { describeError } from "../../common/errors";
import type { InstanceRefreshResult } from "../types";
import { mapConcurrently } from "./mapConcurrently";
import { STALE_REGISTRATION_SCRIPT } from "./staleRegistrationScript";

/** Options of {@link StaleRegistrations}. */
export interface StaleRegistrationsOptions {
  /** The stream's Redis connection, where the counts live (they must outlive a warm container). */
  redis(): Promise<Redis>;
  /** The hash of the counts (`streamKeys(streamKey).unreachable`). */
  key: string;
  serviceDiscovery: ServiceDiscoveryClient;
  /** The Cloud Map service the instances are registered in (`DeregisterInstance` takes its id). */
  serviceId: string;
  /** Invocations in a row that found the instance unreachable. */
  afterInvocations: number;
  /** And at least this long since the first of them, ms. */
  afterMs: number;
  /** Clock, epoch ms (tests). */
  now?(): number;
}

/** An instance deregistered as stale. */
export interface DeregisteredInstance {
  instanceId: string;
  address: string;
  /** What the last invocation saw: `no-answer` or `other-instance`. */
  reason: string;
  /** Invocations in a row that found it unreachable, and since when (epoch ms). */
  invocations: number;
  sinceMs: number;
}

/** What a review did. */
export interface StaleReview {
  deregistered: DeregisteredInstance[];
  /** Why nothing was counted this time (most instances unreachable: the function's own network is suspect). */
  suspended?: string;
  /** What failed (Redis, `DeregisterInstance`), as sentences; retried by the next invocation. */
  errors: string[];
}

/** A count nobody updates for this long is forgotten (a fleet that changes rarely still gets counted). */
const COUNT_TTL_MS = 7 * 24 * 3_600_000;
/** `DeregisterInstance` calls at once (control-plane API, rate-limited per account). */
const DEREGISTER_CONCURRENCY = 5;

/**
 * Deregisters the registrations that the fan-out finds unreachable again and again: an instance
 * killed by SIGKILL or OOM never deregisters, and its custom health stays HEALTHY (Cloud Map keeps
 * the last status reported), so every invocation would call it until its deadline and it would
 * count against the 1000-instance discovery cap. An instance is deregistered once `afterInvocations`
 * invocations in a row found no answer at its address (or another instance answering there) and at
 * least `afterMs` passed since the first: a restart, a deploy or a pause costs seconds, and a burst
 * of invocations within a second is one observation, not several. The counts live in a Redis hash
 * beside the stream (a warm container's memory is lost with it, and invocations run side by side).
 * Nothing is counted when fewer instances answered than not (the fault is then likely the
 * function's own network, and it would deregister a live fleet); an answer restarts the count. An
 * instance that refuses the call (`UNAUTHENTICATED` during a token rotation) is never counted.
 *
 * @example
 * ```ts
 * const stale = new StaleRegistrations({
 *   redis, key, serviceDiscovery, serviceId, afterInvocations: 3, afterMs: 300_000,
 * });
 * const { deregistered } = await stale.review(results);
 * ```
 */
export class StaleRegistrations {
  private readonly now: () => number;

  public constructor(private readonly options: StaleRegistrationsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Counts this invocation's answers, and deregisters the instances now due. Never throws. */
  public async review(instances: readonly InstanceRefreshResult[]): Promise<StaleReview> {
    const reason = (i: InstanceRefreshResult) => i.unreachableReason;
    const suspects = instances.filter((i) => reason(i) === "no-answer" || reason(i) === "other-instance");
    const answered = instances.filter(
      (i) => i.outcome !== "unreachable" || reason(i) === "refused" || reason(i) === "other-instance",
    );
    const silent = suspects.filter((i) => reason(i) === "no-answer").length;
    const strike = suspects.length > 0 && answered.length >= silent;
    const review: StaleReview = { deregistered: [], errors: [] };
    if (suspects.length > 0 && !strike) {
      review.suspended =
        `${silent} of ${instances.length} instances did not answer: the fault may be the function's ` +
        "own network, so no registration was counted as stale this time";
    }
    const cleared = answered.filter((i) => reason(i) !== "other-instance").map((i) => i.instanceId);
    if (!strike && cleared.length === 0) return review;

    const struck = strike ? suspects.map((i) => i.instanceId) : [];
    let due: string[];
    try {
      const redis = await this.options.redis();
      const { key, afterInvocations, afterMs } = this.options;
      const args = [
        this.now(),
        afterInvocations,
        afterMs,
        COUNT_TTL_MS,
        strike ? 1 : 0,
        struck.length,
        ...struck,
        ...cleared,
      ];
      due = (await redis.eval(STALE_REGISTRATION_SCRIPT, 1, key, ...args)) as string[];
    } catch (error) {
      review.errors.push(`cannot count the unreachable instances in ${this.options.key}: ${describeError(error)}`);
      return review;
    }

    const byId = new Map(suspects.map((i) => [i.instanceId, i]));
    const candidates: DeregisteredInstance[] = [];
    for (let i = 0; i + 2 < due.length; i += 3) {
      const id = due[i];
      const instance = id === undefined ? undefined : byId.get(id);
      if (!instance) continue;
      candidates.push({
        instanceId: instance.instanceId,
        address: instance.address,
        reason: reason(instance) ?? "no-answer",
        invocations: Number(due[i + 2]),
        sinceMs: Number(due[i + 1]),
      });
    }
    const failures = await mapConcurrently(candidates, DEREGISTER_CONCURRENCY, (c) => this.deregister(c));
    for (const [index, candidate] of candidates.entries()) {
      const failure = failures[index];
      if (failure) review.errors.push(failure);
      else review.deregistered.push(candidate);
    }
    if (review.deregistered.length > 0) {
      await this.options
        .redis()
        .then((redis) => redis.hdel(this.options.key, ...review.deregistered.map((d) => d.instanceId)))
        .catch(() => undefined); // a count left behind only expires later
    }
    return review;
  }

  /** `DeregisterInstance`; an instance already gone is fine. The failure as a sentence, if any. */
  private async deregister(candidate: DeregisteredInstance): Promise<string | undefined> {
    try {
      await this.options.serviceDiscovery.send(
        new DeregisterInstanceCommand({
          ServiceId: this.options.serviceId,
          InstanceId: candidate.instanceId,
        }),
      );
      return undefined;
    } catch (error) {
      if ((error as Error).name === "InstanceNotFound") return undefined;
      const which = `${candidate.instanceId} (${candidate.address})`;
      return `cannot deregister the stale instance ${which}: ${describeError(error)}`;
    }
  }
}
