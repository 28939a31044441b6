import type { Redis } from "ioredis";
import type { z } from "zod";
import { describeError } from "../common/errors";
import { streamKeys, type RunningRefreshServer, type StreamKeys } from "../protocol";
import { ChangeApplier } from "./ChangeApplier";
import { ConfigClientClosedError, ConfigClientError, ConfigLoadError } from "./errors";
import { ChangeListeners, type ChangeListener, type KeySelector } from "./listeners/ChangeListeners";
import type { DerivedValue, DeriveOptions } from "./listeners/DerivedValue";
import { deriveValue } from "./listeners/deriveValue";
import { ClientCounters } from "./observability/clientCounters";
import { ClientEvents } from "./observability/clientEvents";
import { CloudMapRegistration } from "./registration/cloudMapRegistration";
import { Reloader, type ReloadSummary } from "./reload/reloader";
import { CLIENT_DEFAULTS, resetReloadWindowMs, resolveOptions, type ResolvedOptions } from "./resolveOptions";
import { PublishedChangeCheck } from "./rpc/PublishedChangeCheck";
import { serveRefresh } from "./rpc/serveRefresh";
import { lastValidVersions } from "./ssm/lastValidVersions";
import { forEachParameter } from "./ssm/loadParameters";
import { ConfigRules } from "./state/configRules";
import { ConfigStore } from "./state/ConfigStore";
import { Acknowledger } from "./stream/acknowledger";
import { bootAcks, heldBackRefusals } from "./stream/appliedAcks";
import { createAckConnection, createRedisConnection, createStreamConnection } from "./stream/redisConnection";
import { readPositionWithin, type StreamPosition } from "./stream/streamPosition";
import { StreamReader } from "./stream/streamReader";
import type {
  ClientEvent,
  ClientMetrics,
  ClientState,
  ConfigClientOptions,
  ConfigSchema,
  ConfigSnapshot,
} from "./types";

/** How long `close()` lets in-flight `Refresh` calls and queued acknowledgements finish. */
const CLOSE_GRACE_MS = 2_000;

/**
 * The configuration of one service instance, live: loaded from SSM Parameter Store at start,
 * kept current from the refresh stream (and the `Refresh` RPC, and a full reload every TTL),
 * validated per key, swapped atomically. Made by {@link createConfigClient}. It wires the parts;
 * which revision wins is the {@link ConfigStore}'s to say.
 *
 * Reads never wait: `get()` is one `Map` lookup in the values held now, which a change writes a
 * whole batch at a time (a reader never sees half of one).
 *
 * @example
 * ```ts
 * const client = await createConfigClient({ parameterPath: "/shop/beta/", ssm, redis: REDIS_URL, schema });
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

  private readonly rules: ConfigRules;
  private readonly store: ConfigStore;
  private readonly counters = new ClientCounters();
  private readonly events: ClientEvents;
  private readonly listeners = new ChangeListeners<ConfigSnapshot<S>>();
  private readonly streamRedis: Redis;
  private readonly reader: StreamReader;
  private readonly acknowledger: Acknowledger | undefined;
  private readonly reloader: Reloader;
  private readonly applier: ChangeApplier<ConfigSnapshot<S>>;
  private registration: CloudMapRegistration | undefined;
  private server: RunningRefreshServer | undefined;
  /** The connection `Refresh` checks read the stream on (opened at the first call: the stream reader's blocks). */
  private checkRedis: Redis | undefined;
  /** Checks `Refresh` calls against the stream (or SSM): the refresh token alone cannot inject a value. */
  private readonly publishedCheck: PublishedChangeCheck;
  private startedAt = 0;
  private streamConnected = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly settings: ResolvedOptions<S>) {
    const { parameterPath, instanceId, redis, reconnect } = settings;
    this.instanceId = instanceId;
    this.parameterPath = parameterPath;
    this.streamKeys = streamKeys(settings.streamKey);
    this.rules = new ConfigRules(parameterPath, settings.schema, settings.strict);
    this.store = new ConfigStore(this.rules);
    this.events = new ClientEvents(settings.logger, instanceId, this.counters);

    this.streamRedis = createStreamConnection(redis, reconnect, instanceId, settings);
    this.streamRedis.on("error", (error: Error) => this.emit({ type: "redis-error", connection: "stream", error }));
    this.streamRedis.on("ready", () => this.onStreamReady());
    this.reader = new StreamReader(
      this.streamRedis,
      this.streamKeys,
      {
        blockMs: settings.blockMs,
        batchSize: settings.batchSize,
        backoff: reconnect,
        positionCheckEvery: settings.positionCheckEvery,
      },
      {
        onEntries: (entries) => this.applier.applyStreamEntries(entries),
        onReset: async (reason, position) => {
          this.emit({ type: "stream-reset", reason, lastStreamId: position.lastId });
          // Spread: the reader goes on reading the new stream; the reload falls somewhere in the window.
          const windowMs = resetReloadWindowMs(settings.resetReloadWindow, this.store.heldParameters().length);
          const reloading = this.reloader.requestWithin(reason, windowMs);
          if (windowMs === 0) await reloading;
        },
        onError: (error, retryInMs) => this.emit({ type: "stream-error", error, retryInMs }),
      },
    );

    this.publishedCheck = new PublishedChangeCheck({
      keys: this.streamKeys,
      ssm: settings.ssm,
      redis: () => {
        this.checkRedis ??= createRedisConnection(redis, reconnect, {
          connectionName: `config-refresh:${instanceId}:check`,
          maxRetriesPerRequest: 1,
          lazyConnect: false,
        }).on("error", (error: Error) => this.emit({ type: "redis-error", connection: "check", error }));
        return this.checkRedis;
      },
    });

    if (settings.acks) {
      const ackRedis = createAckConnection(redis, reconnect, instanceId);
      ackRedis.on("error", (error: Error) => this.emit({ type: "redis-error", connection: "acks", error }));
      this.acknowledger = new Acknowledger(ackRedis, this.streamKeys.acks, settings.acks.maxLength, {
        onWritten: (acks, refusals) => {
          this.counters.add("acksWritten", acks);
          this.counters.add("refusalsWritten", refusals);
        },
        onFailed: (error, count) => this.emit({ type: "ack-failed", error, count }),
      });
    }

    this.applier = new ChangeApplier({
      store: this.store,
      ssm: settings.ssm,
      parameterPath,
      instanceId,
      events: this.events,
      counters: this.counters,
      listeners: this.listeners,
      acknowledger: this.acknowledger,
      secureReadJitterMs: settings.secureReadJitterMs,
      secureReadRetry: CLIENT_DEFAULTS.secureReadRetry,
      snapshot: () => this.snapshot(),
      requestReload: (reason) => void this.reloader.request(reason),
    });
    this.reloader = new Reloader(
      {
        intervalMs: settings.reloadIntervalMs,
        retry: CLIENT_DEFAULTS.reloadRetry,
      },
      (reason) => this.applier.reload(reason),
      (reason, error, retryInMs) => this.emit({ type: "reload-failed", reason, error, retryInMs }),
    );
  }

  /**
   * Starts a client: records the stream position, loads every parameter under the path,
   * validates (throwing `ConfigValidationError` naming every missing or invalid key), then serves
   * the refresh RPC, listens to the stream, registers in Cloud Map and turns healthy.
   * Prefer {@link createConfigClient}.
   */
  public static async start<S extends ConfigSchema = ConfigSchema>(
    options: ConfigClientOptions<S>,
  ): Promise<ConfigClient<S>> {
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
    return this.store.value(key);
  }

  /** The value of a key as SSM stores it (a StringList comma-joined); undefined when absent. */
  public raw(key: string): string | undefined {
    return this.store.raw(key);
  }

  /**
   * Every value, frozen: read several keys from one consistent version of the configuration. Made
   * on the first call after a change and shared until the next; a later change never alters it.
   */
  public snapshot(): ConfigSnapshot<S> {
    return this.store.snapshot() as ConfigSnapshot<S>;
  }

  /** What the instance holds (names, versions, when applied), as the `State` RPC answers it. */
  public state(): ClientState {
    return {
      instanceId: this.instanceId,
      parameterPath: this.parameterPath,
      parameters: this.store.heldParameters(),
      heldBack: this.store.heldBack(),
      startedAt: this.startedAt,
      lastChangeAt: this.applier.lastChangeAt,
      lastStreamId: this.reader.position?.lastId ?? "",
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
   * const stop = client.onChange(["log_level", "features/"], (changes, cfg) =>
   *   log.info("config changed", { keys: changes.map((c) => c.key) }));
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
   * const logger = client.derive(["log_level"], (cfg) => createLogger(cfg.log_level), {
   *   close: (old) => old.flush(),
   * });
   * await logger.use(async (log) => log.info("handled"));
   * ```
   */
  public derive<T>(
    keys: KeySelector,
    build: (snapshot: ConfigSnapshot<S>) => T,
    options: DeriveOptions<T> = {},
  ): DerivedValue<T> {
    const followed = typeof keys === "string" ? [keys] : [...keys];
    return deriveValue(this.listeners, this.snapshot(), keys, build, options, (error) =>
      this.emit({ type: "derive-failed", keys: followed, error }),
    );
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
   * writes the last acknowledgements and quits Redis, then emits `closed`. `get()` keeps answering
   * the last snapshot. Idempotent. Failures are reported as events, never thrown.
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
    const loader = this.store.bootLoader(Date.now());
    try {
      await forEachParameter(this.settings.ssm, this.parameterPath, (parameter) => loader.add(parameter));
    } catch (error) {
      throw new ConfigLoadError(this.parameterPath, error);
    }
    const fallBack = this.settings.bootOnLastValid
      ? await lastValidVersions(this.settings.ssm, loader.refusedParameters(), this.rules)
      : undefined;
    const now = Date.now();
    const bootHeld = this.store.boot(loader, fallBack);
    this.startedAt = now;
    for (const { name, key, held, refused, detail } of fallBack?.heldBack ?? []) {
      this.emit({ type: "held-back", name, key, version: held.version, refusedVersion: refused.version, detail });
    }

    if (this.settings.refreshServer) {
      this.server = await serveRefresh(this.settings.refreshServer, {
        instanceId: this.instanceId,
        apply: (candidates) => this.applier.applyBatch(candidates),
        validate: (candidates) => this.applier.validateBatch(candidates),
        state: () => this.state(),
        onMalformed: (name, detail) =>
          this.emit({ type: "rejected", via: "rpc", name, version: 0, reason: "MALFORMED", detail }),
        onRefresh: () => this.counters.add("rpcRefreshCalls"),
        onValidate: () => this.counters.add("rpcValidateCalls"),
        verify: (claims) => this.publishedCheck.verify(claims),
        onUnauthenticated: (method) => this.emit({ type: "unauthenticated", method }),
      });
    }

    this.reader.start(position);

    const registration = this.settings.registration;
    if (registration) {
      const entry = new CloudMapRegistration({
        client: registration.client,
        serviceId: registration.serviceId,
        instanceId: this.instanceId,
        address: registration.address,
        port: registration.port ?? (this.server as RunningRefreshServer).port,
        attributes: registration.attributes ?? {},
        customHealthCheck: registration.customHealthCheck,
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
          throw new ConfigClientError(
            `Cloud Map service ${registration.serviceId} has no custom health check: ` +
              "create it with HealthCheckCustomConfig or pass registration.customHealthCheck: false",
          );
        }
        throw error;
      }
      this.emit({ type: "registration", action: "healthy", instanceId: this.instanceId });
    }
    this.reloader.start();
    // Acknowledged once the instance is up (what it loaded, even if the stream moved some since).
    this.acknowledger?.send(bootAcks(bootHeld, this.instanceId, now));
    this.acknowledger?.sendRefusals(heldBackRefusals(fallBack?.heldBack ?? [], this.instanceId, now));
  }

  /** The stream position, or undefined when Redis does not answer in time (the reader resyncs later). */
  private async readStartPosition(): Promise<StreamPosition | undefined> {
    try {
      return await readPositionWithin(this.streamRedis, this.streamKeys, this.settings.startTimeoutMs);
    } catch (error) {
      this.settings.logger.warn("starting without the stream position: the client reloads once Redis answers", {
        instanceId: this.instanceId,
        error: describeError(error),
      });
      return undefined;
    }
  }

  private onStreamReady(): void {
    this.events.recovered();
    if (this.streamConnected) {
      this.reader.checkPosition();
      this.emit({ type: "reconnected", connection: "stream" });
    }
    this.streamConnected = true;
  }

  private emit(event: ClientEvent): void {
    this.events.emit(event);
  }

  private async shutdown(): Promise<void> {
    const reloading = this.reloader.stop();
    this.applier.stop();
    await this.deregister();
    await this.server?.stop(CLOSE_GRACE_MS);
    await this.reader.stop();
    // A reload in progress may wait on SSM: give it the grace period, not more.
    await Promise.race([reloading, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    await this.applier.idle();
    await this.acknowledger?.close(CLOSE_GRACE_MS);
    this.emit({ type: "closed" });
    this.checkRedis?.disconnect();
  }
}
