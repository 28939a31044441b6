import type { MiddlewareClient } from "./callCounter";
import { monotonicNs } from "./clock";

/** One SDK call: operation, when it was sent and when its answer was back (monotonic ns). */
export interface TimedCall {
  operation: string;
  startNs: bigint;
  endNs: bigint;
}

/** Most calls kept between two `take()`s (a bench that forgets to take must not grow without bound). */
const MAX_KEPT = 10_000;

/**
 * Records when each call of an AWS SDK v3 client starts and ends (middleware at the `initialize`
 * step: the whole call, retries included), so a latency can be split into its parts afterwards.
 */
export class CallTimeline {
  private calls: TimedCall[] = [];

  /** Records every call `client` makes from now on. */
  public attach(client: MiddlewareClient): this {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const startNs = monotonicNs();
        try {
          return await next(args);
        } finally {
          if (this.calls.length < MAX_KEPT)
            this.calls.push({
              operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
              startNs,
              endNs: monotonicNs(),
            });
        }
      },
      { step: "initialize", name: "benchCallTimeline", override: true },
    );
    return this;
  }

  /** The calls recorded since the last `take()`, and forgets them. */
  public take(): TimedCall[] {
    const taken = this.calls;
    this.calls = [];
    return taken;
  }
}
