import { describeError } from "../../common/errors";
import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { toWireChange, type RefreshRequest } from "../../protocol";
import type { InstanceRefreshResult, PublishedChange } from "../types";
import { discoverInstances, type DiscoveredInstance } from "./discoverInstances";
import { refreshInstance, type RefreshTokenSource } from "./refreshInstance";
import type { RefreshClientPool } from "./RefreshClientPool";
import type { ScopePattern } from "./ScopePattern";

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
}

/** What a fan-out did. */
export interface FanOutOutcome {
  instances: InstanceRefreshResult[];
  /** Discoveries that failed (those instances were not called; the stream still has the changes). */
  errors: string[];
}

/** At most this many event ids in a request's `eventId` (it is for log lines). */
const MAX_EVENT_IDS = 10;

/** The instances of one scope (key: the scope as JSON, `""` for unscoped names), or why Cloud Map could not say. */
type Discovery = { instances: DiscoveredInstance[] } | { error: string };

/** Discoveries started ahead of the publish by {@link RefreshFanOut.prefetch}, by scope key. */
export type PrefetchedDiscovery = Promise<ReadonlyMap<string, Discovery>>;

/**
 * The direct path: finds the healthy instances in Cloud Map (one `DiscoverInstances` per scope
 * touched, plus one for the unscoped changes, in parallel) and sends each instance one `Refresh`
 * call carrying every change meant for it, all instances in parallel. A slow or dead instance
 * costs only its own deadline; never throws.
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
    return Promise.all([...scopes].map(async ([key, scope]) => [key, await this.discover(scope)] as const)).then((found) => new Map(found));
  }

  /** Sends the published changes to the instances concerned (found by `prefetched` when given). */
  public async refresh(published: readonly PublishedChange[], remainingTimeMs?: () => number, prefetched?: PrefetchedDiscovery): Promise<FanOutOutcome> {
    if (published.length === 0) return { instances: [], errors: [] };
    const { targets, errors } = await this.targets(published, prefetched);
    const instances = await Promise.all([...targets.values()].map(({ instance, changes }) => {
      if (!instance.address) {
        return Promise.resolve<InstanceRefreshResult>({
          instanceId: instance.instanceId, address: "", outcome: "unreachable", results: [], attempts: 0, latencyMs: 0,
          error: instance.addressError ?? "no address",
        });
      }
      const ordered = published.filter((change) => changes.has(change));
      return refreshInstance({ instanceId: instance.instanceId, address: instance.address }, request(ordered), {
        pool: this.options.pool, tokens: this.options.tokens, deadlineMs: this.options.deadlineMs, retries: this.options.retries,
        ...(remainingTimeMs ? { remainingTimeMs } : {}),
      });
    }));
    return { instances, errors };
  }

  /** Instance → the changes it must receive. */
  private async targets(published: readonly PublishedChange[], prefetched?: PrefetchedDiscovery): Promise<{ targets: Map<string, { instance: DiscoveredInstance; changes: Set<PublishedChange> }>; errors: string[] }> {
    const groups = new Map<string, { scope?: Record<string, string>; changes: PublishedChange[] }>();
    for (const change of published) {
      const scope = this.options.scopePattern?.match(change.name);
      const key = scope ? JSON.stringify(scope) : "";
      const group = groups.get(key) ?? { ...(scope ? { scope } : {}), changes: [] };
      group.changes.push(change);
      groups.set(key, group);
    }
    const errors: string[] = [];
    const targets = new Map<string, { instance: DiscoveredInstance; changes: Set<PublishedChange> }>();
    const early = await prefetched;
    const discovered = await Promise.all([...groups].map(async ([key, group]) => {
      const found = early?.get(key) ?? (await this.discover(group.scope));
      if ("error" in found) {
        errors.push(found.error);
        return { group, instances: [] };
      }
      return { group, instances: found.instances };
    }));
    for (const { group, instances } of discovered) {
      for (const instance of instances) {
        const target = targets.get(instance.instanceId) ?? { instance, changes: new Set<PublishedChange>() };
        group.changes.forEach((change) => target.changes.add(change));
        targets.set(instance.instanceId, target);
      }
    }
    return { targets, errors };
  }

  /** The healthy instances of one scope (all of them for `undefined`), or the failure as a sentence. */
  private async discover(scope: Record<string, string> | undefined): Promise<Discovery> {
    try {
      return {
        instances: await discoverInstances(this.options.serviceDiscovery, {
          namespaceName: this.options.namespaceName, serviceName: this.options.serviceName, ...(scope ? { queryParameters: scope } : {}),
        }),
      };
    } catch (error) {
      const where = scope ? ` for ${Object.entries(scope).map(([k, v]) => `${k}=${v}`).join(",")}` : "";
      return { error: `Cloud Map DiscoverInstances${where} failed: ${describeError(error)}` };
    }
  }
}

function request(changes: readonly PublishedChange[]): RefreshRequest {
  const ids = [...new Set(changes.flatMap((change) => (change.eventId ? [change.eventId] : [])))];
  const eventId = ids.length > MAX_EVENT_IDS ? `${ids.slice(0, MAX_EVENT_IDS).join(",")},+${ids.length - MAX_EVENT_IDS} more` : ids.join(",");
  return { changes: changes.map(toWireChange), eventId, sentAtMs: Date.now() };
}
