import type { TimerHandle, Timers } from "../../runtime/common/timers";

/** A timer of the simulated clock. */
class SimulatedTimer implements TimerHandle {
  public cancelled = false;

  public constructor(
    public at: number,
    public readonly seq: number,
    public readonly callback: () => void,
    /** Repeats every this many ms (setInterval); undefined for a timeout. */
    public readonly every: number | undefined,
  ) {}

  public unref(): this {
    return this;
  }
}

/** Callbacks fired at most in one `run` (a bound on the loop far above any scenario's count). */
const MAX_FIRES = 20_000_000;

/**
 * A discrete-event clock implementing {@link Timers}: time moves only in {@link run}, from one
 * timer to the next, and after every instant the real event loop is let run (one `setImmediate`)
 * so the promise chains the callbacks started finish before time moves on. Runs the runtime's real
 * schedulers (reloader, read jitter, reconcile timer) for hours of a 10,000-instance fleet in seconds.
 */
export class SimulatedClock implements Timers {
  private nowMs = 0;
  private seq = 0;
  /** A binary min-heap on (at, seq). */
  private readonly heap: SimulatedTimer[] = [];

  /** Simulated ms since the clock's start. */
  public now(): number {
    return this.nowMs;
  }

  public setTimeout(callback: () => void, ms: number): SimulatedTimer {
    return this.push(new SimulatedTimer(this.nowMs + Math.max(0, ms), this.seq++, callback, undefined));
  }

  public clearTimeout(handle: TimerHandle | undefined): void {
    if (handle instanceof SimulatedTimer) handle.cancelled = true;
  }

  public setInterval(callback: () => void, ms: number): SimulatedTimer {
    const every = Math.max(1, ms);
    return this.push(new SimulatedTimer(this.nowMs + every, this.seq++, callback, every));
  }

  public clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /**
   * Fires every timer due up to `untilMs`, in time order (timers set while running included), then
   * leaves the clock at `untilMs`.
   */
  public async run(untilMs: number): Promise<void> {
    await settle();
    let fires = 0;
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > untilMs) break;
      this.nowMs = next.at;
      // Every timer due at this instant, then one turn of the real event loop.
      while (this.heap[0] && this.heap[0].at === this.nowMs) {
        const timer = this.pop();
        if (timer.cancelled) continue;
        if (++fires > MAX_FIRES) throw new Error(`the simulation fired more than ${MAX_FIRES} timers`);
        if (timer.every !== undefined) {
          timer.at += timer.every;
          this.push(timer);
        }
        timer.callback();
      }
      await settle();
    }
    this.nowMs = untilMs;
  }

  private push(timer: SimulatedTimer): SimulatedTimer {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    return timer;
  }

  private pop(): SimulatedTimer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function earlier(a: SimulatedTimer, b: SimulatedTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** One turn of the real event loop: every promise chain started so far runs until it waits on a timer. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A seeded generator of draws in [0, 1) (mulberry32), so one run's simulation can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
