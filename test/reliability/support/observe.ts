/**
 * What the fault scenarios watch from the outside while they break things: every instance's held
 * versions over time (regressions), the acknowledgements (versions applied twice, regressions), and the
 * moment every instance holds SSM's current versions (convergence).
 */
import type { AckMessage } from "../../../runtime/protocol/ackMessage";
import type { FleetState } from "../../../runtime/operator/fleet/fleetState";
import type { ReliabilityPipeline } from "./pipeline";
import type { WorkerHandle } from "./workerFleet";

/** Name → version, per instance, as one look at the fleet saw it. */
export type HeldVersions = Map<string, Map<string, number>>;

/** What one look at every instance found. */
export interface FleetLook {
  /** SSM's current versions. */
  current: Map<string, number>;
  held: HeldVersions;
  /** Instances that did not answer (registered but unreachable, paused...). */
  silent: string[];
  /** Per instance, the names held differently from SSM. */
  divergent: Map<string, string[]>;
  converged: boolean;
}

/**
 * Looks at every registered instance (Cloud Map + State RPC, through `fleetState`) and at the
 * stream-only workers given (IPC), against SSM's current versions. `skip` leaves instances out
 * (one deliberately gone).
 */
export async function lookAtFleet(
  env: ReliabilityPipeline,
  streamOnly: readonly WorkerHandle[] = [],
  skip: ReadonlySet<string> = new Set(),
): Promise<FleetLook> {
  const state: FleetState = await env.pipeline.fleetState();
  const held: HeldVersions = new Map();
  const silent: string[] = [];
  for (const instance of state.instances) {
    if (skip.has(instance.instanceId)) continue;
    if (instance.held) held.set(instance.instanceId, instance.held);
    else silent.push(instance.instanceId);
  }
  await Promise.all(
    streamOnly
      .filter((worker) => !skip.has(worker.instanceId))
      .map(async (worker) => {
        try {
          const stats = await worker.stats(3_000);
          held.set(worker.instanceId, new Map(Object.entries(stats.held)));
        } catch {
          silent.push(worker.instanceId);
        }
      }),
  );
  const divergent = new Map<string, string[]>();
  for (const [instanceId, versions] of held) {
    const wrong: string[] = [];
    for (const [name, version] of state.current)
      if (versions.get(name) !== version) wrong.push(`${name} ${versions.get(name) ?? "absent"}≠${version}`);
    for (const name of versions.keys()) if (!state.current.has(name)) wrong.push(`${name} held, gone from SSM`);
    if (wrong.length > 0) divergent.set(instanceId, wrong);
  }
  return {
    current: state.current,
    held,
    silent,
    divergent,
    converged: held.size > 0 && silent.length === 0 && divergent.size === 0,
  };
}

/**
 * Polls the fleet until every instance holds SSM's current versions; resolves with the time it
 * took (from `since`) or `undefined` after `deadlineMs` (a generous bound that only catches a hang),
 * with the last look either way.
 */
export async function waitForConvergence(
  env: ReliabilityPipeline,
  options: {
    since: number;
    deadlineMs: number;
    streamOnly?: readonly WorkerHandle[];
    skip?: ReadonlySet<string>;
    monitor?: VersionMonitor;
  },
): Promise<{ ms: number | undefined; look: FleetLook }> {
  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    const look = await lookAtFleet(env, options.streamOnly, options.skip);
    options.monitor?.record(look.held);
    if (look.converged) return { ms: Date.now() - options.since, look };
    if (Date.now() > deadline) return { ms: undefined, look };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Watches the versions every instance holds, every `intervalMs` while running, and counts every
 * time one went down (an instance that restarts counts too: it must boot at least as new).
 */
export class VersionMonitor {
  private readonly highest = new Map<string, number>();
  public readonly regressions: string[] = [];
  public looks = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  public constructor(
    private readonly env: ReliabilityPipeline,
    private readonly streamOnly: () => readonly WorkerHandle[] = () => [],
  ) {}

  public start(intervalMs = 200): void {
    const tick = (): void => {
      this.running = lookAtFleet(this.env, this.streamOnly())
        .then(
          (look) => this.record(look.held),
          () => undefined,
        )
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  public async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Adds one look at the fleet. */
  public record(held: HeldVersions): void {
    this.looks++;
    for (const [instanceId, versions] of held) {
      for (const [name, version] of versions) {
        const key = `${instanceId} ${name}`;
        const before = this.highest.get(key);
        if (before !== undefined && version < before) this.regressions.push(`${key}: ${before} → ${version}`);
        else this.highest.set(key, version);
      }
    }
  }
}

/** What the acknowledgements of a run say about applying. */
export interface AckAudit {
  acks: number;
  /**
   * The same (instance, name, version) applied twice within one life of the instance: two acks that
   * differ in when or how (`appliedAt`, `via`) it was applied.
   */
  appliedTwice: string[];
  /**
   * The same ack written twice (every field equal): an XADD whose reply was lost when Redis went
   * away, sent again by the connection once it was back. The acks are delivered at least once.
   */
  resent: string[];
  /** A lower version acknowledged after a higher one by the same instance. */
  regressions: string[];
}

/**
 * Audits acknowledgements in stream order: an instance applies each version of a name at most
 * once (whatever path brought it: stream, RPC, reload) and never a lower one after a higher one.
 * A `boot` ack starts a new life of the instance (it loaded everything), which must not be older.
 */
export function auditAcks(acks: readonly AckMessage[]): AckAudit {
  const applied = new Map<string, Map<number, string>>();
  const highest = new Map<string, number>();
  const audit: AckAudit = { acks: acks.length, appliedTwice: [], resent: [], regressions: [] };
  for (const ack of acks) {
    const key = `${ack.instanceId} ${ack.name}`;
    const how = `${ack.via}@${ack.appliedAt}`;
    const before = highest.get(key);
    if (ack.via === "boot") applied.set(key, new Map());
    const versions = applied.get(key) ?? new Map<number, string>();
    const earlier = versions.get(ack.version);
    if (earlier === how) {
      audit.resent.push(`${key} v${ack.version} (${ack.via})`);
      continue;
    }
    if (before !== undefined && ack.version < before)
      audit.regressions.push(`${key}: v${ack.version} after v${before} (${ack.via})`);
    if (earlier !== undefined) audit.appliedTwice.push(`${key} v${ack.version}: ${earlier}, then ${how}`);
    versions.set(ack.version, how);
    applied.set(key, versions);
    highest.set(key, Math.max(before ?? 0, ack.version));
  }
  return audit;
}

/** Every acknowledgement written after `cursor`, all pages. */
export async function acksAfter(env: ReliabilityPipeline, cursor: string): Promise<AckMessage[]> {
  const acks: AckMessage[] = [];
  let after = cursor;
  for (let page = 0; page < 1_000; page++) {
    const batch = await env.pipeline.readAcks(after);
    acks.push(...batch.acks);
    if (batch.lastId === after) break;
    after = batch.lastId;
  }
  return acks;
}
