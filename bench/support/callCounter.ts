/** Counts the calls an AWS SDK v3 client makes, by operation, through its middleware stack. */

/** The part of an AWS SDK v3 client this needs (every client has it; the overloads differ per client). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MiddlewareClient = { middlewareStack: { add: (...args: any[]) => void } };

/** Calls by operation name (`GetParameters`, `DiscoverInstances`...). */
export class CallCounter {
  private readonly counts = new Map<string, number>();

  /**
   * Counts every HTTP attempt `client` makes from now on (the middleware sits in the `deserialize`
   * step, inside the SDK's retry loop, so a retried call counts twice: what the service sees).
   */
  public attach(client: MiddlewareClient): this {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
        const name = (context.commandName ?? "Unknown").replace(/Command$/, "");
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: "deserialize", name: "benchCallCounter", override: true },
    );
    return this;
  }

  /** A copy of the counts so far. */
  public snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Total calls so far. */
  public total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }
}

/** `after − before`, per operation, leaving out zeros. */
export function countDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    const d = count - (before[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
}

/** Sums several count records. */
export function sumCounts(records: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records)
    for (const [name, count] of Object.entries(record)) sum[name] = (sum[name] ?? 0) + count;
  return sum;
}
