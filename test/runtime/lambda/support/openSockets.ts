import { readdirSync, readlinkSync } from "node:fs";

/** Sockets this process holds open now (Linux: the `socket:[…]` entries of `/proc/self/fd`). */
export function openSockets(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) count += 1;
    } catch {
      // closed between the listing and the read
    }
  }
  return count;
}

/** Samples {@link openSockets} every `everyMs` until stopped; `stop()` gives the most seen above the first sample. */
export function sampleOpenSockets(everyMs = 5): { stop(): number } {
  const base = openSockets();
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, openSockets() - base);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, openSockets() - base);
    },
  };
}
