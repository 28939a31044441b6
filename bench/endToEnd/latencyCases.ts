import { GetParametersCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  createRefreshClient,
  buildStreamFields,
  refreshTokenMetadata,
  type RefreshServiceClient,
  type WireParameterChange,
} from "../../runtime/protocol";
import type { RefreshHandler } from "../../runtime/lambda/createRefreshHandler";
import { HOT_KEYS, type BenchPipeline } from "../support/benchPipeline";
import { parameterChangeEvent } from "../support/changeEvent";
import { monotonicNs, msBetween } from "../support/clock";
import { blockedClients } from "../support/redisCommandStats";
import type { Arrival } from "../workers/arrivalBook";
import type { WorkerFleet } from "../workers/workerFleet";

/** The stream the bare readers block on (the Redis floor); nothing else uses it. */
export const FLOOR_STREAM_KEY = "bench:floor:{xread}";
/** How long a sample waits for every instance before counting the missing ones. */
const COLLECT_TIMEOUT_MS = 10_000;
/** How long a sample waits for every reader to be blocked in XREAD again. */
const BLOCKED_WAIT_MS = 500;

/** What one sample measured. `latencyMs` is the figure; the parts explain it. */
export interface Sample {
  latencyMs: number;
  /** Instances (readers, servers) that did not see it within the timeout. */
  missing: number;
  parts: Record<string, number>;
  /** For the full path: how the last instance got it (`stream` or `rpc`). */
  lastVia?: string;
}

/**
 * One sample of each case of the end-to-end benchmark, against the bench pipeline and the worker
 * fleet as they are now. Every case ends when the *last* instance (reader, server) has the change,
 * timed where it happens on the machine-wide monotonic clock.
 */
export class LatencyCases {
  private sequence = 0;
  private readonly bare = new Map<number, RefreshServiceClient>();
  /** Samples where not every reader was blocked in XREAD when the change was sent. */
  public notBlocked = 0;

  public constructor(
    private readonly env: BenchPipeline,
    private readonly fleet: WorkerFleet,
    private readonly readers: () => number,
  ) {}

  /** Adds bare gRPC clients for newly started bare servers (the floor's own, warm HTTP/2 connections). */
  public addBareServers(ports: readonly number[]): void {
    for (const port of ports) this.bare.set(port, createRefreshClient(`127.0.0.1:${port}`));
  }

  /** Floor: XADD on the bench's Redis → the last bare reader woken from its blocked XREAD. */
  public async redisFloor(): Promise<Sample> {
    await this.waitBlocked();
    const fields = buildStreamFields(this.message(`floor-${++this.sequence}`));
    const t0 = monotonicNs();
    const id = (await this.env.admin.xadd(FLOOR_STREAM_KEY, "MAXLEN", "~", 1000, "*", ...fields)) as string;
    const wakes = await this.fleet.ask<Arrival[]>(
      { op: "collectWakes", entryId: id, timeoutMs: COLLECT_TIMEOUT_MS },
      (w) => w.readers,
    );
    return this.sample(t0, wakes.flat(), this.readers(), {});
  }

  /** Floor: one unary call of `refresh.proto` to every bare server at once → the last server reached. */
  public async grpcFloor(): Promise<Sample> {
    const callId = `fanout-${++this.sequence}`;
    const change = this.wire(`/bench/floor/x`);
    const t0 = monotonicNs();
    await Promise.all(
      [...this.bare.values()].map(
        (client) =>
          new Promise<void>((resolve, reject) =>
            client.Refresh(
              { changes: [change], eventId: callId, sentAtMs: Date.now() },
              refreshTokenMetadata("bench-floor-token-0000"),
              {},
              (error) => (error ? reject(error) : resolve()),
            ),
          ),
      ),
    );
    const answered = monotonicNs();
    const calls = await this.fleet.ask<Arrival[]>(
      { op: "collectCalls", callId, timeoutMs: COLLECT_TIMEOUT_MS },
      (w) => w.servers,
    );
    return this.sample(t0, calls.flat(), this.bare.size, { roundTripMs: msBetween(t0, answered) });
  }

  /** One SSM `GetParameters` (one name) on moto, on its own. */
  public async ssmRead(): Promise<Sample> {
    const t0 = monotonicNs();
    await this.env.probe.send(new GetParametersCommand({ Names: [this.env.prefix + HOT_KEYS[0]] }));
    return { latencyMs: msBetween(t0, monotonicNs()), missing: 0, parts: {} };
  }

  /** Ours, stream path: PutParameter returned → the handler (no Cloud Map) invoked directly → last client applied. */
  public async stream(): Promise<Sample> {
    await this.waitBlocked();
    return this.direct(this.env.streamHandler);
  }

  /** Ours, gRPC path: PutParameter returned → the handler (Cloud Map + Refresh calls; its stream unread) → last client applied. */
  public rpc(): Promise<Sample> {
    return this.direct(this.env.rpcHandler);
  }

  /**
   * Ours, the whole local path: PutParameter returned → change event relayed to moto's EventBridge
   * → the rule → SQS → the invoker's long poll → the real handler (stream and Refresh calls) → last
   * client applied.
   */
  public async fullPath(): Promise<Sample> {
    await this.waitBlocked();
    const { name, version, t0 } = await this.write();
    await this.env.relay.emit([{ operation: "Update", name, type: "String", arn: this.env.arns.get(name) ?? "" }]);
    const arrivals = await this.collectApplied(name, version);
    const sample = this.sample(t0, arrivals, this.fleet.clients, {});
    const last = arrivals.reduce<Arrival | undefined>(
      (a, b) => (a === undefined || BigInt(b.atNs) > BigInt(a.atNs) ? b : a),
      undefined,
    );
    return { ...sample, ...(last?.via ? { lastVia: last.via } : {}) };
  }

  /** Forgets the arrivals of warm-up samples in every worker. */
  public async clear(): Promise<void> {
    await this.fleet.ask({ op: "clear" });
  }

  /** Closes the bare gRPC clients. */
  public close(): void {
    for (const client of this.bare.values()) client.close();
    this.bare.clear();
  }

  private async direct(handler: RefreshHandler): Promise<Sample> {
    const { name, version, t0 } = await this.write();
    this.env.handlerTimeline.take();
    const result = await handler(
      parameterChangeEvent(
        { operation: "Update", name, type: "String", arn: this.env.arns.get(name) ?? "" },
        this.env.region,
      ),
    );
    const returned = monotonicNs();
    const arrivals = await this.collectApplied(name, version);
    const parts: Record<string, number> = { handlerMs: msBetween(t0, returned) };
    // When the handler had every answer it waits for (SSM, and Cloud Map on the gRPC path): what follows is publish + delivery.
    let readsDone = t0;
    for (const call of this.env.handlerTimeline.take()) {
      if (call.operation === "GetParameters") parts.getParametersMs = msBetween(call.startNs, call.endNs);
      if (call.operation === "DiscoverInstances") parts.discoverMs = msBetween(call.startNs, call.endNs);
      if (call.endNs > readsDone) readsDone = call.endNs;
    }
    const sample = this.sample(t0, arrivals, this.fleet.clients, parts);
    sample.parts.afterReadsMs = sample.latencyMs - msBetween(t0, readsDone);
    if (result.published.length !== 1) sample.parts.notPublished = 1;
    return sample;
  }

  /** Writes a new version of one of the hot keys; `t0` is when PutParameter returned. */
  private async write(): Promise<{ name: string; version: number; t0: bigint }> {
    const n = ++this.sequence;
    const name = this.env.prefix + HOT_KEYS[n % HOT_KEYS.length];
    const put = await this.env.writer.send(
      new PutParameterCommand({ Name: name, Value: `v${n}`, Type: "String", Overwrite: true }),
    );
    return { name, version: put.Version ?? 0, t0: monotonicNs() };
  }

  private async collectApplied(name: string, version: number): Promise<Arrival[]> {
    const answers = await this.fleet.ask<Arrival[]>(
      { op: "collectApplied", name, version, timeoutMs: COLLECT_TIMEOUT_MS },
      (w) => w.clients,
    );
    return answers.flat();
  }

  /** The sample of a change that reached `arrivals`: the last one is the figure; the first and the median one are parts. */
  private sample(t0: bigint, arrivals: readonly Arrival[], expected: number, parts: Record<string, number>): Sample {
    const times = arrivals.map((arrival) => msBetween(t0, BigInt(arrival.atNs))).sort((a, b) => a - b);
    if (times.length > 0) {
      parts.firstMs = times[0]!;
      parts.medianMs = times[Math.floor((times.length - 1) / 2)]!;
    }
    return {
      latencyMs: times.length === 0 ? Number.NaN : times[times.length - 1]!,
      missing: Math.max(0, expected - arrivals.length),
      parts,
    };
  }

  /** Waits (bounded) until every client and bare reader is blocked in XREAD, as an idle fleet is. */
  private async waitBlocked(): Promise<void> {
    const expected = this.fleet.clients + this.readers();
    const deadline = Date.now() + BLOCKED_WAIT_MS;
    while (Date.now() < deadline) {
      if ((await blockedClients(this.env.admin)) >= expected) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    this.notBlocked += 1;
  }

  private message(name: string): Parameters<typeof buildStreamFields>[0] {
    const now = Date.now();
    return {
      name: `/bench/floor/${name}`,
      operation: "Update",
      version: this.sequence,
      type: "String",
      value: `v${this.sequence}`,
      modifiedAt: now,
      changedAt: now,
      publishedAt: now,
    };
  }

  private wire(name: string): WireParameterChange {
    const now = Date.now();
    return {
      name,
      operation: "Update",
      version: this.sequence,
      type: "String",
      value: `v${this.sequence}`,
      modifiedAtMs: now,
      changedAtMs: now,
    };
  }
}
