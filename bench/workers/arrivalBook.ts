import { monotonicNs } from "../support/clock";

/** One arrival: who saw the key, when (monotonic ns as a decimal string), and how. */
export interface Arrival {
  who: string;
  atNs: string;
  via?: string;
}

/**
 * Arrival times by key (`<name>@<version>`, a stream entry id, a call id), recorded where they
 * happen and collected afterwards, so collecting costs nothing inside the measured window.
 */
export class ArrivalBook {
  private readonly arrivals = new Map<string, Arrival[]>();
  private readonly waiters = new Map<string, { count: number; wake: () => void }>();

  /** Records that `who` saw `key` now. */
  public record(key: string, who: string, via?: string): void {
    const atNs = String(monotonicNs());
    let list = this.arrivals.get(key);
    if (!list) {
      list = [];
      this.arrivals.set(key, list);
    }
    list.push({ who, atNs, ...(via !== undefined ? { via } : {}) });
    const waiter = this.waiters.get(key);
    if (waiter && list.length >= waiter.count) waiter.wake();
  }

  /**
   * Resolves with the arrivals of `key` once `count` arrived, or with what arrived after
   * `timeoutMs`; then forgets the key.
   */
  public async collect(key: string, count: number, timeoutMs: number): Promise<Arrival[]> {
    if ((this.arrivals.get(key)?.length ?? 0) < count) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.set(key, { count, wake: done });
      });
      this.waiters.delete(key);
    }
    const list = this.arrivals.get(key) ?? [];
    this.arrivals.delete(key);
    return list;
  }

  /** Forgets every key (arrivals nobody will collect, such as a warm-up's). */
  public clear(): void {
    this.arrivals.clear();
  }
}
