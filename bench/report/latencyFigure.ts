import type { FleetMeasurement } from "../endToEnd/benchEndToEnd";
import { renderCdfSvg, type PlotSeries } from "./latencyPlot";

const COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];

/** The latency distributions of the end-to-end benchmark as an SVG: stream path and gRPC path, each with its floor, per fleet size. */
export function latencyFigure(measurements: readonly FleetMeasurement[], caption: string): string {
  const values = (m: FleetMeasurement, name: keyof FleetMeasurement["samples"]): number[] =>
    (m.samples[name] ?? []).map((s) => s.latencyMs);
  const stream: PlotSeries[] = [];
  const rpc: PlotSeries[] = [];
  measurements.forEach((m, i) => {
    const color = COLORS[i % COLORS.length]!;
    stream.push({ label: `ours, fleet ${m.fleet}`, color, values: values(m, "stream") });
    stream.push({ label: `XADD→XREAD, ${m.fleet}`, color, dashed: true, values: values(m, "redisFloor") });
    rpc.push({ label: `ours, fleet ${m.fleet}`, color, values: values(m, "rpc") });
    rpc.push({ label: `bare fan-out, ${m.fleet}`, color, dashed: true, values: values(m, "grpcFloor") });
  });
  const largest = measurements[measurements.length - 1];
  if (largest)
    stream.push({
      label: `SSM GetParameters (fleet ${largest.fleet} run)`,
      color: "#777",
      dashed: true,
      values: values(largest, "ssmRead"),
    });
  return renderCdfSvg(
    "PutParameter returned → applied on the last instance (solid) against the floor (dashed)",
    [
      { title: "stream path", series: stream },
      { title: "gRPC fan-out path", series: rpc },
    ],
    caption,
  );
}
