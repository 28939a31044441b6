import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { toWireChange, type RefreshRequest } from "../../protocol";
import { describeError } from "../errors";
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

  /** Sends the published changes to the instances concerned. */
  public async refresh(published: readonly PublishedChange[], remainingTimeMs?: () => number): Promise<FanOutOutcome> {
    if (published.length === 0) return { instances: [], errors: [] };
    const { targets, errors } = await this.targets(published);
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
  private async targets(published: readonly PublishedChange[]): Promise<{ targets: Map<string, { instance: DiscoveredInstance; changes: Set<PublishedChange> }>; errors: string[] }> {
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
    const discovered = await Promise.all([...groups.values()].map(async (group) => {
      try {
        const instances = await discoverInstances(this.options.serviceDiscovery, {
          namespaceName: this.options.namespaceName, serviceName: this.options.serviceName,
          ...(group.scope ? { queryParameters: group.scope } : {}),
        });
        return { group, instances };
      } catch (error) {
        const scope = group.scope ? ` for ${Object.entries(group.scope).map(([k, v]) => `${k}=${v}`).join(",")}` : "";
        errors.push(`Cloud Map DiscoverInstances${scope} failed: ${describeError(error)}`);
        return { group, instances: [] };
      }
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
}

function request(changes: readonly PublishedChange[]): RefreshRequest {
  const ids = [...new Set(changes.flatMap((change) => (change.eventId ? [change.eventId] : [])))];
  const eventId = ids.length > MAX_EVENT_IDS ? `${ids.slice(0, MAX_EVENT_IDS).join(",")},+${ids.length - MAX_EVENT_IDS} more` : ids.join(",");
  return { changes: changes.map(toWireChange), eventId, sentAtMs: Date.now() };
}
