import { describeError } from "../../common/errors";
import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { toWireChange, type RefreshRequest } from "../../protocol";
import type { InstanceRefreshResult, PublishedChange } from "../types";
import { FAN_OUT_DEFAULTS } from "../environment";
import { discoverInstances, type DiscoveredInstance } from "./discoverInstances";
import { mapConcurrently } from "./mapConcurrently";
import { refreshInstance, type RefreshTokenSource } from "./refreshInstance";
import type { RefreshClientPool } from "./RefreshClientPool";
import type { ScopePattern } from "./ScopePattern";
import type { StaleRegistrations, StaleReview } from "./StaleRegistrations";

/** Options of {@link RefreshFanOut}. */
export interface RefreshFanOutOptions {
  serviceDiscovery: ServiceDiscoveryClient;
  namespaceName: string;
  serviceName: string;
  /** When set, a change under a scope only reaches that scope's instances. */
  scopePattern?: ScopePattern;
  pool: RefreshClientPool;
  tokens: RefreshTokenSource;
  deadlineMs: number;
  retries: number;
  /** Calls in flight at most (each holds a channel, a socket); at most the pool's size. Default `FAN_OUT_DEFAULTS`. */
  concurrency?: number;
  /** `MaxResults` of each discovery; default `FAN_OUT_DEFAULTS` (1000, Cloud Map's cap). */
  discoveryMaxResults?: number;
  /** Counts the unreachable instances and deregisters the stale ones; absent, nothing is deregistered. */
  staleRegistrations?: StaleRegistrations;
}

/** What a fan-out did. */
export interface FanOutOutcome {
  instances: InstanceRefreshResult[];
  /** Discoveries that failed (those instances were not called; the stream still has the changes). */
  errors: string[];
  /** Discoveries that came back full, as sentences: more instances may exist, left to the stream. */
  capped: string[];
  /** What the review of stale registrations did (absent without one). */
  stale?: StaleReview;
}

/** At most this many event ids in a request's `eventId` (it is for log lines). */
const MAX_EVENT_IDS = 10;

/** The instances of one scope (key: the scope as JSON, `""` for unscoped names), or why Cloud Map could not say. */
type Discovery = { instances: DiscoveredInstance[]; capped?: string } | { error: string };

/** Discoveries started ahead of the publish by {@link RefreshFanOut.prefetch}, by scope key. */
export type PrefetchedDiscovery = Promise<ReadonlyMap<string, Discovery>>;

/**
 * The direct path: finds the healthy instances in Cloud Map (one `DiscoverInstances` per scope
 * touched, plus one for the unscoped changes, in parallel) and sends each instance one `Refresh`
 * call carrying every change meant for it, `concurrency` calls at a time (each call holds a
 * socket; a Lambda has 1,024 descriptors). A slow or dead instance costs only its own deadline,
 * in one slot; never throws. Then the unanswered ones are counted toward deregistering them.
 *
 * @example
 * ```ts
 * const { instances } = await fanOut.refresh(published);
 * instances.filter((i) => i.outcome !== "ACK");
 * ```
 */
export class RefreshFanOut {
  public constructor(private readonly options: RefreshFanOutOptions) {}

  /**
   * Starts discovering the instances of every scope that `names` touch, before it is known which of
   * them will be published, so that Cloud Map answers while SSM is read and the stream written (one
   * round trip less before the calls; a `DiscoverInstances` per scope also when nothing gets
   * published). Never rejects: a failure is kept and reported by {@link refresh}.
   */
  public prefetch(names: readonly string[]): PrefetchedDiscovery {
    const scopes = new Map<string, Record<string, string> | undefined>();
    for (const name of names) {
      const scope = this.options.scopePattern?.match(name);
      scopes.set(scope ? JSON.stringify(scope) : "", scope);
    }
    return Promise.all([...scopes].map(async ([key, scope]) => [key, await this.discover(scope)] as const)).then(
      (found) => new Map(found),
    );
  }

  /** Sends the published changes to the instances concerned (found by `prefetched` when given). */
  public async refresh(
    published: readonly PublishedChange[],
    remainingTimeMs?: () => number,
    prefetched?: PrefetchedDiscovery,
  ): Promise<FanOutOutcome> {
    if (published.length === 0) return { instances: [], errors: [], capped: [] };
    const { targets, errors, capped } = await this.targets(published, prefetched);
    const concurrency = this.options.concurrency ?? FAN_OUT_DEFAULTS.concurrency;
    const instances = await mapConcurrently([...targets.values()], concurrency, ({ instance, changes }) => {
      if (!instance.address) {
        return Promise.resolve<InstanceRefreshResult>({
          instanceId: instance.instanceId,
          address: "",
          outcome: "unreachable",
          unreachableReason: "no-address",
          results: [],
          attempts: 0,
          latencyMs: 0,
          error: instance.addressError ?? "no address",
        });
      }
      const ordered = published.filter((change) => changes.has(change));
      return refreshInstance({ instanceId: instance.instanceId, address: instance.address }, request(ordered), {
        pool: this.options.pool,
        tokens: this.options.tokens,
        deadlineMs: this.options.deadlineMs,
        retries: this.options.retries,
        ...(remainingTimeMs ? { remainingTimeMs } : {}),
      });
    });
    const stale = await this.options.staleRegistrations?.review(instances);
    return { instances, errors, capped, ...(stale ? { stale } : {}) };
  }

  /** Instance → the changes it must receive. */
  private async targets(
    published: readonly PublishedChange[],
    prefetched?: PrefetchedDiscovery,
  ): Promise<{
    targets: Map<string, { instance: DiscoveredInstance; changes: Set<PublishedChange> }>;
    errors: string[];
    capped: string[];
  }> {
    const groups = new Map<string, { scope?: Record<string, string>; changes: PublishedChange[] }>();
    for (const change of published) {
      const scope = this.options.scopePattern?.match(change.name);
      const key = scope ? JSON.stringify(scope) : "";
      const group = groups.get(key) ?? { ...(scope ? { scope } : {}), changes: [] };
      group.changes.push(change);
      groups.set(key, group);
    }
    const errors: string[] = [];
    const capped: string[] = [];
    const targets = new Map<string, { instance: DiscoveredInstance; changes: Set<PublishedChange> }>();
    const early = await prefetched;
    const discovered = await Promise.all(
      [...groups].map(async ([key, group]) => {
        const found = early?.get(key) ?? (await this.discover(group.scope));
        if ("error" in found) {
          errors.push(found.error);
          return { group, instances: [] };
        }
        if (found.capped) capped.push(found.capped);
        return { group, instances: found.instances };
      }),
    );
    for (const { group, instances } of discovered) {
      for (const instance of instances) {
        const target = targets.get(instance.instanceId) ?? { instance, changes: new Set<PublishedChange>() };
        for (const change of group.changes) target.changes.add(change);
        targets.set(instance.instanceId, target);
      }
    }
    return { targets, errors, capped };
  }

  /** The healthy instances of one scope (all of them for `undefined`), or the failure as a sentence. */
  private async discover(scope: Record<string, string> | undefined): Promise<Discovery> {
    const where = scope
      ? ` for ${Object.entries(scope)
          .map(([k, v]) => `${k}=${v}`)
          .join(",")}`
      : "";
    try {
      const found = await discoverInstances(this.options.serviceDiscovery, {
        namespaceName: this.options.namespaceName,
        serviceName: this.options.serviceName,
        ...(scope ? { queryParameters: scope } : {}),
        ...(this.options.discoveryMaxResults !== undefined ? { maxResults: this.options.discoveryMaxResults } : {}),
      });
      if (!found.capped) return { instances: found.instances };
      const capped =
        `Cloud Map DiscoverInstances${where} returned ${found.instances.length} instances, as many as ` +
        `MaxResults (${found.maxResults}; it cannot paginate): more instances may exist, they were not called ` +
        "and read the change from the stream";
      return { instances: found.instances, capped };
    } catch (error) {
      return { error: `Cloud Map DiscoverInstances${where} failed: ${describeError(error)}` };
    }
  }
}

function request(changes: readonly PublishedChange[]): RefreshRequest {
  const ids = [...new Set(changes.flatMap((change) => (change.eventId ? [change.eventId] : [])))];
  const eventId =
    ids.length > MAX_EVENT_IDS
      ? `${ids.slice(0, MAX_EVENT_IDS).join(",")},+${ids.length - MAX_EVENT_IDS} more`
      : ids.join(",");
  return { changes: changes.map(toWireChange), eventId, sentAtMs: Date.now() };
}
