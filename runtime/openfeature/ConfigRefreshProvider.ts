import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderFatalError,
  StandardResolutionReasons,
  type FlagMetadata,
  type JsonValue,
  type Provider,
  type ProviderMetadata,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import { createConfigClient, type AppliedParameter, type ClientEvent, type ConfigClientOptions } from "../client";
import { describeError } from "../common/errors";
import { ProviderOptionsError } from "./errors";
import { FlagIndex, type FlagOutcome, type FlagType } from "./FlagIndex";
import { StreamHealth } from "./StreamHealth";
import type { ConfigRefreshProviderOptions, FlagSource } from "./types";

/** `metadata.name`: what OpenFeature's events and telemetry name this provider by. */
export const PROVIDER_NAME = "config-refresh-pipeline";

/** Default of `staleAfterMs`. */
const DEFAULT_STALE_AFTER_MS = 1_000;

/**
 * An OpenFeature provider backed by a live `ConfigClient`: a flag is a parameter under the client's
 * path, its key the name relative to that path (`features/new_checkout`), its value the SSM text
 * read as a boolean (`true`/`false`), a string, a number or JSON (an object or array). A change
 * applied by the client is evaluated at once and announced as `PROVIDER_CONFIGURATION_CHANGED`
 * with its keys in `flagsChanged`. A resolution is a lookup in details prepared when the version
 * arrived: no I/O, no parsing, nothing allocated but the promise the SDK's interface requires (an
 * error allocates its details, which carry the caller's default). The evaluation context is not
 * used (no targeting); `flagMetadata.version` is the SSM version.
 *
 * Errors resolve to the caller's default: `FLAG_NOT_FOUND` (no such parameter, or a SecureString:
 * no secret is served as a flag), `TYPE_MISMATCH` (a value of another type), `PARSE_ERROR` (text
 * that opens a JSON object or array and does not parse).
 *
 * Status: READY once the client has started. STALE once the client has been unable to read its
 * refresh stream for `staleAfterMs` (1 s by default). The client reports a refused or reset
 * connection at once, a Redis that stops answering once a read goes unanswered for blockMs +
 * timeoutGraceMs (70 s by default), a refused read at once. READY again as soon as it reads: on
 * reconnection (within one reconnect backoff, at most 5 s by default), or once a refused read's
 * retry has gone unreported for its delay plus 1 s. Values keep their last version meanwhile, with
 * reason STALE. ERROR when the client it reads is closed underneath it (values stay the last ones).
 * A client that fails to start rejects `initialize` with `ProviderFatalError` (PROVIDER_ERROR,
 * status FATAL).
 *
 * `onClose` (OpenFeature's `close()`, or a provider replaced) closes the client the provider
 * started, and never a client it was given.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { ConfigRefreshProvider } from "config-refresh-pipeline/openfeature";
 *
 * await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client }));
 * const flags = OpenFeature.getClient();
 * if (await flags.getBooleanValue("features/new_checkout", false)) { ... }
 * ```
 */
export class ConfigRefreshProvider implements Provider {
  public readonly metadata: ProviderMetadata = Object.freeze({ name: PROVIDER_NAME });
  public readonly runsOn = "server" as const;
  /** Where the provider signals STALE, READY again, ERROR and CONFIGURATION_CHANGED (the SDK listens). */
  public readonly events = new OpenFeatureEventEmitter();

  private readonly flags = new FlagIndex();
  private readonly health: StreamHealth;
  /** The client read, while initialized. */
  private source: FlagSource | undefined;
  private opening: Promise<void> | undefined;
  private stopListening: (() => void) | undefined;
  /** The client was closed by its owner while the provider read it. */
  private sourceClosed = false;

  /** @throws {@link ProviderOptionsError} naming every problem with `options`. */
  public constructor(private readonly options: ConfigRefreshProviderOptions) {
    const problems = optionProblems(options);
    if (problems.length > 0) throw new ProviderOptionsError(problems);
    this.health = new StreamHealth(options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS, {
      onStale: (cause) =>
        this.events.emit(ProviderEvents.Stale, {
          message: `the configuration client cannot read its refresh stream (${cause}): flags keep their last values`,
        }),
      onRecovered: () =>
        this.events.emit(ProviderEvents.Ready, {
          message: "the configuration client reads its refresh stream again",
        }),
    });
  }

  /**
   * Called by OpenFeature when the provider is set: starts the client (`clientOptions`) or takes the
   * given one, and reads what it holds. Rejects with `ProviderFatalError` when the client cannot start.
   */
  public initialize(): Promise<void> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  /** Called by OpenFeature on `close()` or when the provider is replaced: closes only a client it started. */
  public async onClose(): Promise<void> {
    await this.opening?.catch(() => undefined);
    this.stopListening?.();
    this.stopListening = undefined;
    this.health.stop();
    this.flags.clear();
    const source = this.source;
    this.source = undefined;
    this.opening = undefined;
    this.sourceClosed = false;
    if (source && this.options.clientOptions) await source.close();
  }

  /** A boolean flag: the SSM text `"true"` or `"false"`, exactly. */
  public resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, "boolean"));
  }

  /** A string flag: the SSM text of any parameter but a SecureString (a StringList comma-joined). */
  public resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, "string"));
  }

  /** A number flag: the SSM text as a finite decimal number (`3000`, `-0.25`, `1e3`). */
  public resolveNumberEvaluation(flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, "number"));
  }

  /** An object flag: the SSM text parsed as a JSON object or array, deeply frozen. */
  public resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, "object"));
  }

  private resolve<T>(flagKey: string, defaultValue: T, type: FlagType): ResolutionDetails<T> {
    const source = this.source;
    if (source === undefined) {
      return failed(defaultValue, ErrorCode.PROVIDER_NOT_READY, `${PROVIDER_NAME} is not initialized (or was closed)`);
    }
    const flag = this.flags.get(flagKey);
    if (flag === undefined) {
      return failed(
        defaultValue,
        ErrorCode.FLAG_NOT_FOUND,
        `no parameter ${flagKey} under ${source.parameterPath} (a flag key is the name relative to that path)`,
      );
    }
    const outcome = flag[type] as FlagOutcome<unknown> as FlagOutcome<T>;
    if (!outcome.ok) return failed(defaultValue, outcome.errorCode, outcome.errorMessage, flag.metadata);
    return this.sourceClosed || this.health.isStale ? outcome.stale : outcome.live;
  }

  private async open(): Promise<void> {
    const { client, clientOptions } = this.options;
    const source = client ?? (await startClient(clientOptions as ConfigClientOptions));
    this.sourceClosed = false;
    this.stopListening = source.onEvent((event) => this.onClientEvent(source, event));
    this.flags.rebuild(source);
    this.source = source;
  }

  private onClientEvent(source: FlagSource, event: ClientEvent): void {
    if (event.type === "closed") {
      this.onSourceClosed();
      return;
    }
    // `applied` comes in the same turn as the swap: the index matches the snapshot before anyone evaluates.
    if (event.type === "applied") this.flags.update(source, event.parameters);
    this.health.observe(event);
    if (event.type === "applied") {
      this.events.emit(ProviderEvents.ConfigurationChanged, {
        flagsChanged: keysOf(event.parameters),
        metadata: { via: event.via },
      });
    }
  }

  private onSourceClosed(): void {
    this.sourceClosed = true;
    this.stopListening?.();
    this.stopListening = undefined;
    this.health.stop();
    this.events.emit(ProviderEvents.Error, {
      message: "the configuration client was closed: flags keep the values it last held, and no change reaches them",
    });
  }
}

async function startClient(options: ConfigClientOptions): Promise<FlagSource> {
  try {
    return await createConfigClient(options);
  } catch (error) {
    throw new ProviderFatalError(`${PROVIDER_NAME} could not start its configuration client: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** An error resolution: the caller's default, with the SSM version when the parameter exists. */
function failed<T>(
  value: T,
  errorCode: ErrorCode,
  errorMessage: string,
  flagMetadata?: FlagMetadata,
): ResolutionDetails<T> {
  const details: ResolutionDetails<T> = { value, reason: StandardResolutionReasons.ERROR, errorCode, errorMessage };
  if (flagMetadata) details.flagMetadata = flagMetadata;
  return details;
}

/** The keys of one applied batch, each once. */
function keysOf(parameters: readonly AppliedParameter[]): string[] {
  return [...new Set(parameters.map((parameter) => parameter.key))];
}

/** Every problem with the constructor's options, as sentences. */
function optionProblems(options: ConfigRefreshProviderOptions): string[] {
  if (typeof options !== "object" || options === null) {
    return ["pass { client } (a started ConfigClient) or { clientOptions } (to start one)"];
  }
  const problems: string[] = [];
  const { client, clientOptions, staleAfterMs } = options as unknown as Record<string, unknown>;
  if (client !== undefined && clientOptions !== undefined) {
    problems.push("client and clientOptions conflict: pass a started client, or the options to start one, not both");
  } else if (client === undefined && clientOptions === undefined) {
    problems.push("pass client (a started ConfigClient) or clientOptions (to start one)");
  } else if (client !== undefined && !isFlagSource(client)) {
    problems.push("client is not a ConfigClient (it needs raw, state, onEvent and close)");
  } else if (clientOptions !== undefined && (typeof clientOptions !== "object" || clientOptions === null)) {
    problems.push("clientOptions must be the options of createConfigClient");
  }
  const validStaleAfter = typeof staleAfterMs === "number" && Number.isFinite(staleAfterMs) && staleAfterMs >= 0;
  if (staleAfterMs !== undefined && !validStaleAfter) {
    problems.push(`staleAfterMs must be a number of milliseconds, 0 or more (got ${String(staleAfterMs)})`);
  }
  return problems;
}

function isFlagSource(value: unknown): value is FlagSource {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<keyof FlagSource, unknown>;
  return (
    typeof candidate.parameterPath === "string" &&
    [candidate.raw, candidate.state, candidate.onEvent, candidate.close].every((m) => typeof m === "function")
  );
}
