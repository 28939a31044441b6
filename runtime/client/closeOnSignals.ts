/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions {
  /** Default `["SIGTERM", "SIGINT"]`. */
  signals?: readonly NodeJS.Signals[];
  /** Runs first, e.g. to stop accepting HTTP requests and let those in flight finish. */
  beforeClose?: () => void | Promise<void>;
  /** Exit code after a clean close; `false` leaves the process running. Default 0. */
  exitCode?: number | false;
  /** Longest a close may take before the process exits with code 1. Default 10000 ms. */
  timeoutMs?: number;
}

/** What `closeOnSignals` needs: something that closes. */
export interface Closeable {
  close(): Promise<void>;
}

/**
 * Wires SIGTERM and SIGINT (ECS stops a task with SIGTERM) to a graceful close of the client:
 * `beforeClose`, then `client.close()` (UNHEALTHY, deregistered, server stopped, Redis quit), then
 * exit. A second signal, or a close slower than `timeoutMs`, exits at once with code 1. Returns
 * the function that removes the handlers.
 *
 * @example
 * ```ts
 * closeOnSignals(client, { beforeClose: () => new Promise((done) => httpServer.close(() => done())) });
 * ```
 */
export function closeOnSignals(client: Closeable, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) {
      process.stderr.write(`config client: second ${signal} while closing, exiting now\n`);
      process.exit(1);
    }
    closing = true;
    const timer = setTimeout(() => {
      process.stderr.write(`config client: close did not finish within ${options.timeoutMs ?? 10_000} ms, exiting\n`);
      process.exit(1);
    }, options.timeoutMs ?? 10_000);
    timer.unref();
    void (async () => {
      try {
        await options.beforeClose?.();
        await client.close();
      } catch (error) {
        process.stderr.write(`config client: close failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
      clearTimeout(timer);
      if (options.exitCode !== false) process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : options.exitCode ?? 0);
    })();
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
