import { describeError } from "../common/errors";

/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions {
  /** Default `["SIGTERM", "SIGINT"]`. */
  signals?: readonly NodeJS.Signals[];
  /**
   * The drain, e.g. stop accepting HTTP requests and let those in flight finish. It runs while the
   * instance leaves Cloud Map, not before: a long drain never delays the deregistration.
   */
  beforeClose?: () => void | Promise<void>;
  /** Exit code after a clean close; `false` leaves the process running. Default 0. */
  exitCode?: number | false;
  /** Longest a close may take before the process exits with code 1. Default 10000 ms. */
  timeoutMs?: number;
}

/** What `closeOnSignals` needs: something that closes, and may leave its registry first. */
export interface Closeable {
  close(): Promise<void>;
  /** Leaves service discovery while still serving (a `ConfigClient` deregisters from Cloud Map). */
  deregister?(): Promise<void>;
}

/**
 * Wires SIGTERM and SIGINT (ECS stops a task with SIGTERM) to a graceful close of the client:
 * `client.deregister()` first (UNHEALTHY, then deregistered) and `beforeClose` (the drain) beside
 * it, then `client.close()` (server stopped, Redis quit), then exit. Cloud Map applies a health
 * update about 30 s after it is made: the refresh function may call the instance for that long, and
 * the refresh server answers until `close()`. A second signal, or a close slower than `timeoutMs`,
 * exits at once with code 1. Returns the function that removes the handlers.
 *
 * @example
 * ```ts
 * closeOnSignals(client, { beforeClose: () => new Promise((done) => httpServer.close(() => done())) });
 * ```
 */
export function closeOnSignals(client: Closeable, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) {
      process.stderr.write(`config client: second ${signal} while closing, exiting now\n`);
      process.exit(1);
    }
    closing = true;
    const timer = setTimeout(() => {
      process.stderr.write(`config client: close did not finish within ${timeoutMs} ms, exiting\n`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    void (async () => {
      try {
        // Started before the drain so that the registry's propagation delay runs during it.
        const leaving = Promise.resolve()
          .then(() => client.deregister?.())
          .catch((error: unknown) => {
            process.stderr.write(`config client: deregistration failed: ${describeError(error)}\n`);
          });
        await Promise.all([leaving, Promise.resolve().then(() => options.beforeClose?.())]);
        await client.close();
      } catch (error) {
        process.stderr.write(`config client: close failed: ${describeError(error)}\n`);
        process.exitCode = 1;
      }
      clearTimeout(timer);
      if (options.exitCode === false) return;
      process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : (options.exitCode ?? 0));
    })();
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
