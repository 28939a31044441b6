import { describeError, toError } from "../common/errors";
import type { Redis } from "ioredis";
import type { z } from "zod";
import {
  isNewerRevision, parseStreamEntry, startRefreshServer, streamKeys, type AckMessage, type Revision, type RunningRefreshServer, type StreamKeys,
} from "../protocol";
import { ConfigClientClosedError, ConfigClientError, ConfigLoadError } from "./errors";
import { ClientCounters } from "./observability/clientCounters";
import { ClientEvents } from "./observability/clientEvents";
import { ChangeListeners, type ChangeListener, type KeySelector } from "./react/changeListeners";
import { DerivedValue, type DeriveOptions } from "./react/derivedValue";
import { CloudMapRegistration } from "./registration/cloudMapRegistration";
import { Reloader, type ReloadSummary } from "./reload/reloader";
import { CLIENT_DEFAULTS, resolveOptions, type ResolvedOptions } from "./resolveOptions";
import { createRefreshHandlers } from "./rpc/refreshHandlers";
import { fetchParameterVersion } from "./ssm/fetchParameter";
import { loadParameters } from "./ssm/loadParameters";
import { applyChanges, type AppliedBatch, type CandidateChange, type ChangeResult } from "./state/applyChanges";
import { bootState } from "./state/bootState";
import { ConfigRules } from "./state/configRules";
import { frozenRecord, revisionOf, type ConfigState } from "./state/configState";
import { Acknowledger } from "./stream/acknowledger";
import { createRedisConnection } from "./stream/redisConnection";
import { positionAt, readStreamInfo, type StreamPosition } from "./stream/streamPosition";
import { StreamReader, type RawStreamEntry, type StreamResetReason } from "./stream/streamReader";
import type {
  AppliedParameter, ClientEvent, ClientMetrics, ClientState, ConfigClientOptions, ConfigSchema, ConfigSnapshot, ReloadReason,
} from "./types";

/** How long `close()` lets in-flight `Refresh` calls and queued acknowledgements finish. */
const CLOSE_GRACE_MS = 2_000;

/**
 * The configuration of one service instance, live: loaded from SSM Parameter Store at start,
 * kept current from the refresh stream (and the `Refresh` RPC, and a full reload every TTL),
 * validated per key, swapped atomically. Made by {@link createConfigClient}.
 *
 * Reads never wait: `get()` is a property lookup in the current frozen snapshot.
 *
 * @example
 * ```ts
 * const client = await createConfigClient({ parameterPath: "/shop/beta/", ssm, redis: process.env.REDIS_URL!, schema });
 * client.get("log_level");                         // "info", typed by the schema
 * client.onChange("features/", (changes) => console.log(changes.map((c) => c.key)));
 * closeOnSignals(client);
 * ```
 */
export class ConfigClient<S extends ConfigSchema = ConfigSchema> {
  /** This instance's id (acks, `State`, Cloud Map). */
  public readonly instanceId: string;
  /** The path whose parameters the instance holds, `/<app>/<env>/`. */
  public readonly parameterPath: string;
  /** The Redis keys of the stream, its epoch and the acks. */
  public readonly streamKeys: StreamKeys;

  private current: ConfigState = { values: frozenRecord([]), raws: frozenRecord([]), held: new Map(), tombstones: new Map(), refused: new Map() };
  private readonly rules: ConfigRules;
  private readonly counters = new ClientCounters();
  private readonly events: ClientEvents;
  private readonly listeners = new ChangeListeners<ConfigSnapshot<S>>();
  private readonly streamRedis: Redis;
  private readonly reader: StreamReader;
  private readonly acknowledger: Acknowledger | undefined;
  private readonly reloader: Reloader;
  private registration: CloudMapRegistration | undefined;
  private server: RunningRefreshServer | undefined;
  private serial: Promise<unknown> = Promise.resolve();
  private startedAt = 0;
  private lastChangeAt = 0;
  private streamConnected = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly settings: ResolvedOptions<S>) {
    this.instanceId = settings.instanceId;
    this.parameterPath = settings.parameterPath;
    this.streamKeys = streamKeys(settings.streamKey);
    this.rules = new ConfigRules(settings.parameterPath, settings.schema, settings.strict);
    this.events = new ClientEvents(settings.logger, settings.instanceId);

    this.streamRedis = createRedisConnection(settings.redis, settings.reconnect, {
      connectionName: `config-refresh:${settings.instanceId}:stream`,
      // The read loop owns retries: its XREAD waits for the connection instead of failing.
      maxRetriesPerRequest: null,
      // A blocked XREAD answers within blockMs; silence past that means a dead peer (no FIN).
      socketTimeout: settings.blockMs + Math.max(2_000, settings.blockMs),
    });
    this.streamRedis.on("error", (error: Error) => this.emit({ type: "redis-error", connection: "stream", error }));
    this.streamRedis.on("ready", () => this.onStreamReady());
    this.reader = new StreamReader(this.streamRedis, this.streamKeys, {
      blockMs: settings.blockMs, batchSize: settings.batchSize, backoff: settings.reconnect,
    }, {
      onEntries: (entries) => this.applyStreamEntries(entries),
      onReset: (reason, position) => this.onStreamReset(reason, position),
      onError: (error, retryInMs) => {
        this.counters.add("streamErrors");
        this.emit({ type: "stream-error", error, retryInMs });
      },
    });

    if (settings.acks) {
      const ackRedis = createRedisConnection(settings.redis, settings.reconnect, {
        connectionName: `config-refresh:${settings.instanceId}:acks`,
        maxRetriesPerRequest: 10,
      });
      ackRedis.on("error", (error: Error) => this.emit({ type: "redis-error", connection: "acks", error }));
      this.acknowledger = new Acknowledger(ackRedis, this.streamKeys.acks, settings.acks.maxLength, {
        onWritten: (count) => this.counters.add("acksWritten", count),
        onFailed: (error, count) => {
          this.counters.add("ackFailures", count);
          this.emit({ type: "ack-failed", error, count });
        },
      });
    }

    this.reloader = new Reloader(
      { intervalMs: settings.reloadIntervalMs, jitter: CLIENT_DEFAULTS.reloadJitter, retry: CLIENT_DEFAULTS.reloadRetry },
      (reason) => this.runReload(reason),
      (reason, error, retryInMs) => {
        this.counters.add("reloadFailures");
        this.emit({ type: "reload-failed", reason, error, retryInMs });
      },
    );
  }

  /**
   * Starts a client: records the stream position, loads every parameter under the path,
   * validates (throwing `ConfigValidationError` naming every missing or invalid key), then serves
   * the refresh RPC, listens to the stream, registers in Cloud Map and turns healthy.
   * Prefer {@link createConfigClient}.
   */
  public static async start<S extends ConfigSchema = ConfigSchema>(options: ConfigClientOptions<S>): Promise<ConfigClient<S>> {
    const client = new ConfigClient<S>(await resolveOptions(options));
    try {
      await client.boot();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The parsed value of a key of the schema (or the raw string of another key); no I/O, no allocation. */
  public get<K extends keyof S & string>(key: K): z.output<S[K]>;
  public get(key: string): unknown;
  public get(key: string): unknown {
    return this.current.values[key];
  }

  /** The value of a key as SSM stores it (a StringList comma-joined); undefined when absent. */
  public raw(key: string): string | undefined {
    return this.current.raws[key];
  }

  /**
   * The current snapshot itself (frozen, not a copy): read several keys from one consistent
   * version of the configuration. A later change makes a new snapshot; this one never changes.
   */
  public snapshot(): ConfigSnapshot<S> {
    return this.current.values as ConfigSnapshot<S>;
  }

  /** What the instance holds (names, versions, when applied), as the `State` RPC answers it. */
  public state(): ClientState {
    const parameters = [...this.current.held.values()]
      .map(({ name, key, type, version, modifiedAt, appliedAt, via }) => ({ name, key, type, version, modifiedAt, appliedAt, via }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      instanceId: this.instanceId, parameterPath: this.parameterPath, parameters,
      startedAt: this.startedAt, lastChangeAt: this.lastChangeAt, lastStreamId: this.reader.position?.lastId ?? "",
    };
  }

  /** The counters since start. */
  public metrics(): ClientMetrics {
    return this.counters.snapshot();
  }

  /** The port of the refresh server (undefined without one). */
  public get refreshPort(): number | undefined {
    return this.server?.port;
  }

  /**
   * Calls `listener` after each swap that changes a followed key: an exact key, a prefix ending
   * with `/`, or `*`. Returns the function that removes the listener.
   *
   * @example
   * ```ts
   * const stop = client.onChange(["log_level", "features/"], (changes, cfg) => log.info("config changed", { keys: changes.map((c) => c.key) }));
   * ```
   */
  public onChange(selector: KeySelector, listener: ChangeListener<ConfigSnapshot<S>>): () => void {
    return this.listeners.add(selector, listener);
  }

  /** Calls `listener` with every {@link ClientEvent} (rejections, reloads, reconnections...). Returns the remover. */
  public onEvent(listener: (event: ClientEvent) => void): () => void {
    return this.events.add(listener);
  }

  /**
   * An object built from the configuration and rebuilt when one of `keys` changes; the old one
   * is closed (`options.close`) once the work running on it through `use()` has finished. A build
   * that throws keeps the old object and is reported (`derive-failed`).
   *
   * @example
   * ```ts
   * const logger = client.derive(["log_level"], (cfg) => createLogger(cfg.log_level), { close: (old) => old.flush() });
   * await logger.use(async (log) => log.info("handled"));
   * ```
   */
  public derive<T>(keys: KeySelector, build: (snapshot: ConfigSnapshot<S>) => T, options: DeriveOptions<T> = {}): DerivedValue<T> {
    const selectorText = typeof keys === "string" ? [keys] : [...keys];
    const failed = (error: unknown): void => {
      this.counters.add("listenerErrors");
      this.emit({ type: "derive-failed", keys: selectorText, error: toError(error) });
    };
    let detach: () => void = () => undefined;
    const derived = new DerivedValue(build(this.snapshot()), options, failed, () => detach());
    detach = this.onChange(keys, (_changes, snapshot) => {
      let next: T;
      try {
        next = build(snapshot);
      } catch (error) {
        failed(error);
        return;
      }
      derived.replace(next);
    });
    return derived;
  }

  /** Reloads everything under the path now; resolves with what changed, rejects when SSM fails. */
  public async reload(): Promise<ReloadSummary> {
    if (this.closing) throw new ConfigClientClosedError("reload()");
    const outcome = await this.reloader.request("manual");
    if (!outcome.ok) throw outcome.error;
    return outcome.summary;
  }

  /**
   * Stops gracefully: marks the instance UNHEALTHY and deregisters it from Cloud Map, stops the
   * refresh server (letting calls in flight finish), stops listening, lets pending applies finish,
   * writes the last acknowledgements and quits Redis. `get()` keeps answering the last snapshot.
   * Idempotent. Failures are reported as events, never thrown.
   */
  public close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Leaves Cloud Map now, serving on: before a long drain (`closeOnSignals` calls it). Idempotent, never throws. */
  public deregister(): Promise<void> {
    return this.registration?.leave((event) => this.emit(event)) ?? Promise.resolve();
  }

  private async boot(): Promise<void> {
    // The position first: a change published during the load is then read from the stream.
    const position = await this.readStartPosition();
    let loaded;
    try {
      loaded = await loadParameters(this.settings.ssm, this.parameterPath);
    } catch (error) {
      throw new ConfigLoadError(this.parameterPath, error);
    }
    const now = Date.now();
    this.current = bootState(loaded, this.rules, now);
    this.startedAt = now;
    const bootHeld = [...this.current.held.values()];

    const serverConfig = this.settings.refreshServer;
    if (serverConfig) {
      this.server = await startRefreshServer({
        tokens: serverConfig.tokens,
        ...(serverConfig.host !== undefined ? { host: serverConfig.host } : {}),
        ...(serverConfig.port !== undefined ? { port: serverConfig.port } : {}),
        ...(serverConfig.credentials !== undefined ? { credentials: serverConfig.credentials } : {}),
        onUnauthenticated: (method) => {
          this.counters.add("rpcUnauthenticated");
          this.emit({ type: "unauthenticated", method });
        },
      }, createRefreshHandlers({
        instanceId: this.instanceId,
        apply: (candidates) => this.applyBatch(candidates),
        state: () => this.state(),
        onMalformed: (name, detail) => {
          this.counters.add("rejected");
          this.emit({ type: "rejected", via: "rpc", name, version: 0, reason: "MALFORMED", detail });
        },
        onRefresh: () => this.counters.add("rpcRefreshCalls"),
      }));
    }

    this.reader.start(position);

    const registration = this.settings.registration;
    if (registration) {
      const entry = new CloudMapRegistration({
        client: registration.client, serviceId: registration.serviceId, instanceId: this.instanceId,
        address: registration.address, port: registration.port ?? (this.server as RunningRefreshServer).port,
        attributes: registration.attributes ?? {}, customHealthCheck: registration.customHealthCheck,
      });
      try {
        await entry.register();
      } catch (error) {
        // The call may have reached Cloud Map before failing: leave no half-registered instance behind.
        await entry.deregister().catch(() => undefined);
        throw error;
      }
      this.registration = entry;
      this.emit({ type: "registration", action: "registered", instanceId: this.instanceId });
      try {
        await entry.markHealthy();
      } catch (error) {
        if ((error as Error).name === "CustomHealthNotFound") {
          throw new ConfigClientError(`Cloud Map service ${registration.serviceId} has no custom health check: create it with HealthCheckCustomConfig or pass registration.customHealthCheck: false`);
        }
        throw error;
      }
      this.emit({ type: "registration", action: "healthy", instanceId: this.instanceId });
    }
    this.reloader.start();
    // Acknowledged once the instance is up (what it loaded, even if the stream moved some since).
    this.acknowledge(bootHeld.map((held) => ({
      instanceId: this.instanceId, name: held.name, version: held.version, via: "boot", appliedAt: now, modifiedAt: held.modifiedAt,
    })));
  }

  /** The stream position, or undefined when Redis does not answer in time (the reader resyncs later). */
  private async readStartPosition(): Promise<StreamPosition | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.settings.startTimeoutMs} ms`)), this.settings.startTimeoutMs);
    });
    try {
      return positionAt(await Promise.race([readStreamInfo(this.streamRedis, this.streamKeys), timeout]));
    } catch (error) {
      this.settings.logger.warn("starting without the stream position: the client reloads once Redis answers", {
        instanceId: this.instanceId, error: describeError(error),
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private onStreamReady(): void {
    this.events.recovered();
    if (this.streamConnected) {
      this.counters.add("reconnects");
      this.reader.checkPosition();
      this.emit({ type: "reconnected", connection: "stream" });
    }
    this.streamConnected = true;
  }

  private async applyStreamEntries(entries: readonly RawStreamEntry[]): Promise<void> {
    const candidates: CandidateChange[] = [];
    for (const [id, fields] of entries) {
      const parsed = parseStreamEntry(id, fields);
      if (!parsed.ok) {
        this.counters.add(parsed.rejection === "malformed" ? "malformed" : "unsupportedFormat");
        this.emit({ type: "entry-skipped", id, rejection: parsed.rejection, detail: parsed.detail });
        continue;
      }
      candidates.push({ change: parsed.message, via: "stream", publishedAt: parsed.message.publishedAt, streamId: id });
    }
    if (candidates.length > 0) await this.applyBatch(candidates);
  }

  private async onStreamReset(reason: StreamResetReason, position: StreamPosition): Promise<void> {
    this.emit({ type: "stream-reset", reason, lastStreamId: position.lastId });
    await this.reloader.request(reason);
  }

  /** Applies one batch (stream or RPC): validated first, then one swap. Serialized with reloads. */
  private applyBatch(candidates: readonly CandidateChange[]): Promise<readonly ChangeResult[]> {
    return this.serialize(async () => {
      const resolved = await this.readSecureValues(candidates);
      const now = Date.now();
      const batch = applyChanges(this.current, resolved, this.rules, now);
      this.current = batch.state;
      this.report(batch, now);
      return batch.results;
    });
  }

  /** Reads the value of each SecureString change that may apply (exactly its version) from SSM. */
  private async readSecureValues(candidates: readonly CandidateChange[]): Promise<readonly CandidateChange[]> {
    const needsValue = (c: CandidateChange): boolean => c.change.operation !== "Delete" && c.change.value === undefined && this.mayApply(c.change);
    if (!candidates.some(needsValue)) return candidates;
    return Promise.all(candidates.map(async (candidate) => {
      if (!needsValue(candidate)) return candidate;
      const fetched = await fetchParameterVersion(this.settings.ssm, candidate.change.name, candidate.change.version);
      if (!fetched.ok) return { ...candidate, fetchError: fetched.detail };
      return { ...candidate, change: { ...candidate.change, value: fetched.parameter.value } };
    }));
  }

  /** True when a change is newer than anything held or seen for its name (worth an SSM read). */
  private mayApply(change: Revision & { name: string }): boolean {
    const key = this.rules.keyOf(change.name);
    if (key === undefined || !this.rules.accepts(key)) return false;
    const held = this.current.held.get(key);
    return [held && revisionOf(held), this.current.tombstones.get(key), this.current.refused.get(key)]
      .every((seen) => seen === undefined || isNewerRevision(change, seen));
  }

  private async runReload(reason: ReloadReason): Promise<ReloadSummary> {
    const loadStartedAt = Date.now();
    const loaded = await loadParameters(this.settings.ssm, this.parameterPath);
    return this.serialize(() => {
      const seen = new Set<string>();
      const candidates: CandidateChange[] = [];
      for (const p of loaded) {
        const key = this.rules.keyOf(p.name);
        if (key === undefined || !this.rules.accepts(key)) continue;
        seen.add(key);
        candidates.push({
          change: { name: p.name, operation: "Update", version: p.version, type: p.type, value: p.value, modifiedAt: p.modifiedAt, changedAt: p.modifiedAt },
          via: "reload",
        });
      }
      for (const entry of this.current.held.values()) {
        // Absent from the load: deleted, unless it changed after the load began (then the load may predate it).
        if (seen.has(entry.key) || entry.modifiedAt >= loadStartedAt) continue;
        candidates.push({
          // The tombstone sits just after the held revision: it stops late copies of it, not a later re-creation.
          change: { name: entry.name, operation: "Delete", version: entry.version, type: entry.type, modifiedAt: entry.modifiedAt + 1, changedAt: loadStartedAt },
          via: "reload",
        });
      }
      const now = Date.now();
      const batch = applyChanges(this.current, candidates, this.rules, now);
      this.current = batch.state;
      this.report(batch, now);
      const summary: ReloadSummary = {
        applied: batch.results.filter((r) => r.status === "applied").length,
        rejected: batch.results.filter((r) => r.status === "refused" && !r.repeated && r.reason !== "OLDER_VERSION").length,
      };
      this.counters.add("reloads");
      if (reason === "trimmed") this.counters.add("trimmedReloads");
      if (reason === "recreated") this.counters.add("recreatedReloads");
      if (reason === "failover") this.counters.add("failoverReloads");
      this.emit({ type: "reload", reason, ...summary });
      return summary;
    });
  }

  /** Counts, reports and acknowledges what a batch did, then tells the change listeners. */
  private report(batch: AppliedBatch, now: number): void {
    const acks: Omit<AckMessage, "format">[] = [];
    const applied: AppliedParameter[] = [];
    let fetchFailed = false;
    for (const result of batch.results) {
      const { change, via } = result.candidate;
      if (result.status === "applied") {
        this.counters.add("applied");
        applied.push({ name: change.name, key: result.key, version: result.version, valueChanged: result.valueChanged });
        const { publishedAt, streamId } = result.candidate;
        acks.push({
          instanceId: this.instanceId, name: change.name, version: result.version, via, appliedAt: now, modifiedAt: change.modifiedAt,
          ...(via === "stream" || via === "rpc" ? { changedAt: change.changedAt } : {}),
          ...(publishedAt !== undefined ? { publishedAt } : {}),
          ...(streamId !== undefined ? { streamId } : {}),
        });
      } else if (result.status === "unchanged") {
        this.counters.add("unchanged");
      } else if (result.reason === "OLDER_VERSION") {
        this.counters.add("stale");
      } else if (!result.repeated) {
        if (result.reason === "FETCH_FAILED") {
          this.counters.add("fetchFailures");
          fetchFailed = true;
        } else {
          this.counters.add("rejected");
        }
        this.emit({ type: "rejected", via, name: change.name, version: change.version, reason: result.reason, detail: result.detail });
      }
    }
    if (applied.length > 0) this.emit({ type: "applied", via: (batch.results[0] as ChangeResult).candidate.via, parameters: applied });
    this.acknowledge(acks);
    if (batch.changes.length > 0) {
      this.counters.add("swaps");
      this.lastChangeAt = now;
      this.listeners.notify(batch.changes, this.snapshot(), (selector, error) => {
        this.counters.add("listenerErrors");
        this.emit({ type: "listener-failed", selector, error: toError(error) });
      });
    }
    // The value could not be read: the next reload (retried until it succeeds) brings it.
    if (fetchFailed) void this.reloader.request("fetch-failed");
  }

  private acknowledge(acks: readonly Omit<AckMessage, "format">[]): void {
    this.acknowledger?.send(acks);
  }

  private serialize<T>(job: () => Promise<T> | T): Promise<T> {
    const run = this.serial.then(job);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private emit(event: ClientEvent): void {
    this.events.emit(event);
  }

  private async shutdown(): Promise<void> {
    const reloading = this.reloader.stop();
    await this.deregister();
    await this.server?.stop(CLOSE_GRACE_MS);
    await this.reader.stop();
    // A reload in progress may wait on SSM: give it the grace period, not more.
    await Promise.race([reloading, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    await this.serial.catch(() => undefined);
    await this.acknowledger?.close(CLOSE_GRACE_MS);
  }
}

/**
 * Starts a {@link ConfigClient}: the one call a service makes at boot. Rejects with
 * `ConfigValidationError` (naming every missing or invalid key), `ConfigLoadError` (SSM
 * unreachable) or `ClientOptionsError`, after releasing whatever it had opened.
 *
 * @example
 * ```ts
 * import { createConfigClient, closeOnSignals, ssmBoolean, ssmInteger } from "config-refresh-pipeline/client";
 *
 * const client = await createConfigClient({
 *   parameterPath: "/shop/beta/",
 *   ssm: new SSMClient({}),
 *   redis: { host: process.env.REDIS_HOST, port: 6379, tls: {}, password: process.env.REDIS_AUTH },
 *   schema: {
 *     log_level: z.enum(["debug", "info", "warn", "error"]),
 *     "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
 *     "features/new_checkout": ssmBoolean(),
 *   },
 *   refreshServer: { tokens: [process.env.REFRESH_TOKEN!], port: 50051 },
 *   registration: { client: new ServiceDiscoveryClient({}), serviceId: process.env.CLOUD_MAP_SERVICE_ID! },
 * });
 * closeOnSignals(client);
 * ```
 */
export function createConfigClient<S extends ConfigSchema = ConfigSchema>(options: ConfigClientOptions<S>): Promise<ConfigClient<S>> {
  return ConfigClient.start(options);
}
