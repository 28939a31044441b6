import { median, ratio, type BenchSection } from "../stats";
import type { ReadPathFigures } from "./readPathChild";

/** The read path table: ns per call and allocation, against `Map.get`. */
export function readPathSection(figures: ReadPathFigures): BenchSection {
  const mapGet = median(figures.figures["Map.get(key)"]?.nsPerCall ?? []);
  return {
    title: "The read path: `client.get(key)` against plain lookups (one child process, nothing else running in it)",
    headers: [
      "read",
      "ns per call, median of runs",
      "runs",
      "÷ Map.get",
      "heap growth per call, bytes",
      "GCs during the timed runs",
    ],
    rows: Object.entries(figures.figures).map(([name, f]) => [
      name,
      median(f.nsPerCall).toFixed(1),
      f.nsPerCall.map((v) => v.toFixed(1)).join(" / "),
      ratio(median(f.nsPerCall), mapGet),
      f.bytesPerCall.toFixed(3),
      String(f.gcs),
    ]),
    notes: [
      `${figures.keys} keys, ${figures.callsPerRun.toLocaleString("en-US")} calls per run cycling over them, after a warm-up run of the same length; the order of the readers is reversed for the second half of the runs. Every reader goes through the same indirect call, so the figures compare the lookups themselves. Heap growth: \`heapUsed\` after one run minus before it (GC'd first), divided by the calls.`,
    ],
  };
}
