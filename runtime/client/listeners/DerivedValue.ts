/** Options of a derived value. */
export interface DeriveOptions<T> {
  /**
   * Closes an object that was replaced, once no `use()` holds it any more (a logger's flush, an
   * HTTP agent's destroy). Errors are reported, never thrown.
   */
  close?(retired: T): void | Promise<void>;
}

/** One built object and the work still running on it. */
interface Generation<T> {
  readonly value: T;
  inFlight: number;
  retired: boolean;
  /** Resolves the wait of a retired generation when its last work ends. */
  onIdle?: () => void;
}

/**
 * An object rebuilt from the configuration when the keys it depends on change: the Node.js
 * answer to a `@RefreshScope` bean. `use()` runs work on the current object and keeps it open
 * until that work ends, so in-flight work finishes on the old object while new work gets the new
 * one. Made by `client.derive()`.
 *
 * @example
 * ```ts
 * const logger = client.derive(["log_level"], (cfg) => createLogger(cfg.log_level), { close: (old) => old.flush() });
 * server.on("request", (req, res) => logger.use((log) => handle(req, res, log)));
 * ```
 */
export class DerivedValue<T> {
  private generation: Generation<T>;
  private closed = false;
  private readonly closing = new Set<Promise<void>>();

  /** @internal Made by `client.derive()`. */
  public constructor(
    initial: T,
    private readonly options: DeriveOptions<T>,
    private readonly onCloseError: (error: unknown) => void,
    private readonly detach: () => void,
  ) {
    this.generation = { value: initial, inFlight: 0, retired: false };
  }

  /** The current object (for short synchronous use; prefer `use()` for work that awaits). */
  public get(): T {
    return this.generation.value;
  }

  /** Runs `work` on the current object; that object is not closed before `work` settles. */
  public async use<R>(work: (value: T) => R | Promise<R>): Promise<R> {
    const generation = this.generation;
    generation.inFlight++;
    try {
      return await work(generation.value);
    } finally {
      generation.inFlight--;
      if (generation.retired && generation.inFlight === 0) generation.onIdle?.();
    }
  }

  /** @internal Swaps in a newly built object; the old one closes when its work is done. */
  public replace(value: T): void {
    if (this.closed) return;
    const old = this.generation;
    this.generation = { value, inFlight: 0, retired: false };
    this.retire(old);
  }

  /** Stops following the configuration and closes the current object (after its work is done). */
  public async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.detach();
      this.retire(this.generation);
    }
    while (this.closing.size > 0) await Promise.allSettled([...this.closing]);
  }

  /** Closes a replaced generation once its in-flight work has ended. */
  private retire(generation: Generation<T>): void {
    generation.retired = true;
    const idle =
      generation.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (generation.onIdle = resolve));
    const closed = idle
      .then(() => this.options.close?.(generation.value))
      .then(
        () => undefined,
        (error: unknown) => this.onCloseError(error),
      );
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }
}
