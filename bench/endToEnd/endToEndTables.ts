import { median, ms, ratio, summarize, type BenchSection } from "../stats";
import type { CaseName, EndToEndResult, FleetMeasurement } from "./benchEndToEnd";
import type { Sample } from "./latencyCases";

/** Goal of both paths: p50 within this factor of its floor. */
export const GOAL_FACTOR = 1.5;

const latencies = (m: FleetMeasurement, name: CaseName): number[] =>
  (m.samples[name] ?? []).map((s) => s.latencyMs).filter(Number.isFinite);
const part = (samples: readonly Sample[] | undefined, name: string): number =>
  median((samples ?? []).flatMap((s) => (s.parts[name] !== undefined ? [s.parts[name]!] : [])));
const missing = (m: FleetMeasurement): number =>
  Object.values(m.samples).reduce((sum, samples) => sum + (samples ?? []).reduce((a, s) => a + s.missing, 0), 0);

/** The stream path's floor at one size: bare XADD → last reader, plus one SSM read (p50s added). */
export function streamFloorP50(m: FleetMeasurement): number {
  return summarize(latencies(m, "redisFloor")).p50 + summarize(latencies(m, "ssmRead")).p50;
}

/** The headline table: our two paths against their floors, per fleet size. */
export function endToEndSection(result: EndToEndResult): BenchSection {
  const rows: string[][] = [];
  for (const m of result.measurements) {
    const stream = summarize(latencies(m, "stream"));
    const rpc = summarize(latencies(m, "rpc"));
    const streamFloor = streamFloorP50(m);
    const fanOut = summarize(latencies(m, "grpcFloor")).p50;
    const verdict = (value: number, floor: number): string => (value <= GOAL_FACTOR * floor ? "met" : "not met");
    rows.push([
      String(m.fleet),
      String(m.processes),
      "stream",
      String(stream.n),
      ms(stream.p50),
      ms(stream.p99),
      "Redis XADD→last reader + 1 SSM GetParameters",
      ms(streamFloor),
      ratio(stream.p50, streamFloor),
      verdict(stream.p50, streamFloor),
    ]);
    rows.push([
      String(m.fleet),
      String(m.processes),
      "gRPC",
      String(rpc.n),
      ms(rpc.p50),
      ms(rpc.p99),
      "bare grpc-js fan-out → last server",
      ms(fanOut),
      ratio(rpc.p50, fanOut),
      verdict(rpc.p50, fanOut),
    ]);
  }
  const lost = result.measurements.reduce((sum, m) => sum + missing(m), 0);
  return {
    title: "End to end: PutParameter returned → change applied on the last instance (handler invoked directly)",
    headers: [
      "fleet",
      "processes",
      "path",
      "samples",
      "p50 ms",
      "p99 ms",
      "floor (same run)",
      "floor p50 ms",
      "p50 ÷ floor",
      `goal ≤ ${GOAL_FACTOR}×`,
    ],
    rows,
    notes: [
      "Each sample writes a new version of one parameter with PutParameter on moto and starts the clock when the call returns; the real refresh handler (`createRefreshHandler`, settings through `readLambdaSettings`) is then invoked in the bench process with the event EventBridge would deliver; the clock stops when the last client emitted its `applied` event (timed in the worker on the machine-wide monotonic clock). Included: the handler's `GetParameters` (moto), its Lua publish (Redis), then for the stream path the XREAD wake-up, parse, validation, swap of every client; for the gRPC path `DiscoverInstances` (moto; since the fix below it runs beside `GetParameters`) and one `Refresh` call per instance (token, deadline), each applied before the client answers.",
      "Stream path: handler without Cloud Map settings, so the stream is the only delivery. gRPC path: the same handler with Cloud Map, publishing on a stream no client reads, so the `Refresh` call is the only delivery. Since refresh calls are checked against what the pipeline published (a forged call is refused), each client of this gRPC-only setup finds the change in no stream it reads and checks it with one `GetParameter` on moto instead (100 instances: 100 calls, in 4 processes): in a deployment, where instances read the stream the function publishes on, the check is one pipelined `XRANGE` per call. The gRPC rows therefore include that SSM read per instance; the stream rows and the cost table show the deployed shape.",
      "The floors are measured in the same run, interleaved sample by sample with ours, on the same process layout (the bare readers and servers live in the same worker processes as the clients). The stream floor adds one SSM `GetParameters` on moto (measured alone, same run) to a bare `XADD` → last blocked `XREAD` wake-up, because the handler must read the parameter's current state before publishing. The gRPC floor is a bare grpc-js unary call of `refresh.proto` to every server at once → the last server's handler entered; it contains neither the SSM read nor the Cloud Map discovery that our gRPC path does first (see the next table for the fan-out part alone).",
      `Samples where some reader was not back in XREAD when the change was sent (500 ms bounded wait): ${result.notBlocked}. Instances that never applied a change within 10 s: ${lost}.`,
    ],
  };
}

/** The floors as measured, per fleet size. */
export function floorsSection(result: EndToEndResult): BenchSection {
  return {
    title: "Floors (same run, same worker processes, interleaved with ours)",
    headers: [
      "fleet",
      "processes",
      "XADD → last XREAD p50 ms",
      "p99 ms",
      "bare fan-out → last server p50 ms",
      "p99 ms",
      "fan-out round trip p50 ms",
      "SSM GetParameters p50 ms",
      "p99 ms",
    ],
    rows: result.measurements.map((m) => {
      const redis = summarize(latencies(m, "redisFloor"));
      const grpc = summarize(latencies(m, "grpcFloor"));
      const ssm = summarize(latencies(m, "ssmRead"));
      return [
        String(m.fleet),
        String(m.processes),
        ms(redis.p50),
        ms(redis.p99),
        ms(grpc.p50),
        ms(grpc.p99),
        ms(part(m.samples.grpcFloor, "roundTripMs")),
        ms(ssm.p50),
        ms(ssm.p99),
      ];
    }),
    notes: [
      "Readers: one ioredis connection each, `XREAD BLOCK 0` on a stream of their own. Servers: one grpc-js server each, answering at once; the bench process holds one warm client per server and calls them all with `Promise.all`.",
    ],
  };
}

/** Medians of each part of our two paths, and the fan-out part against its floor. */
export function breakdownSection(result: EndToEndResult): BenchSection {
  const rows: string[][] = [];
  for (const m of result.measurements) {
    const stream = m.samples.stream;
    const rpc = m.samples.rpc;
    const redisFloor = summarize(latencies(m, "redisFloor")).p50;
    const fanOut = summarize(latencies(m, "grpcFloor")).p50;
    rows.push([
      String(m.fleet),
      "stream",
      ms(median(latencies(m, "stream"))),
      ms(part(stream, "getParametersMs")),
      "–",
      ms(part(stream, "handlerMs")),
      ms(part(stream, "firstMs")),
      ms(part(stream, "medianMs")),
      ms(part(stream, "afterReadsMs")),
      `XADD → last XREAD ${ms(redisFloor)}`,
      ratio(part(stream, "afterReadsMs"), redisFloor),
    ]);
    rows.push([
      String(m.fleet),
      "gRPC",
      ms(median(latencies(m, "rpc"))),
      ms(part(rpc, "getParametersMs")),
      ms(part(rpc, "discoverMs")),
      ms(part(rpc, "handlerMs")),
      ms(part(rpc, "firstMs")),
      ms(part(rpc, "medianMs")),
      ms(part(rpc, "afterReadsMs")),
      `bare fan-out ${ms(fanOut)}`,
      ratio(part(rpc, "afterReadsMs"), fanOut),
    ]);
  }
  return {
    title: "Where the time goes (medians over the samples, ms from PutParameter returned)",
    headers: [
      "fleet",
      "path",
      "last instance",
      "GetParameters",
      "DiscoverInstances",
      "handler returned",
      "first instance",
      "median instance",
      "delivery part",
      "its floor",
      "delivery ÷ floor",
    ],
    rows,
    notes: [
      "Delivery part: from the moment the handler had the answers it waits for (`GetParameters`; on the gRPC path also `DiscoverInstances`, which runs beside it) to the last instance applied: the Lua publish, then the XREAD wake-ups or the `Refresh` calls, and each client's parse, validation and swap. Its floor is the bare mechanism alone at the same fleet size.",
      "With N clients in 4 processes on 2 cores, each worker handles its ~N/4 clients one after the other: the last instance waits for the per-change work of the others in its process. Per change and instance a client sends 1 Redis command on its stream connection (XREAD: a batch chained to its last id by `previousId` needs no position check) plus 1 on its acks connection (the acknowledgement XADD, written after the turn), where a bare reader sends 1 (XREAD); on this VM a loopback socket write costs 0.1–0.8 ms of CPU under load (V8 CPU profile of the workers: `writeUtf8String`, the largest self time). A service runs one client per process, where the fleet-of-1 row applies.",
    ],
  };
}

/** The whole local path (relay → moto EventBridge → SQS → invoker → handler), where measured. */
export function fullPathSection(result: EndToEndResult): BenchSection | undefined {
  const measured = result.measurements.filter((m) => (m.samples.fullPath ?? []).length > 0);
  if (measured.length === 0) return undefined;
  return {
    title:
      "End to end through the whole local path (relay → moto EventBridge rule → SQS → invoker → handler with stream and Cloud Map)",
    headers: [
      "fleet",
      "processes",
      "samples",
      "p50 ms",
      "p99 ms",
      "last instance got it via",
      "p50 ÷ direct stream p50",
    ],
    rows: measured.map((m) => {
      const full = summarize(latencies(m, "fullPath"));
      const via = new Map<string, number>();
      for (const s of m.samples.fullPath ?? []) if (s.lastVia) via.set(s.lastVia, (via.get(s.lastVia) ?? 0) + 1);
      return [
        String(m.fleet),
        String(m.processes),
        String(full.n),
        ms(full.p50),
        ms(full.p99),
        [...via].map(([v, n]) => `${v} ${n}`).join(", "),
        ratio(full.p50, median(latencies(m, "stream"))),
      ];
    }),
    notes: [
      "From PutParameter returned: the relay's `PutEvents` (standing in for Parameter Store's own event), moto's rule with the component's pattern and input transformer delivering to SQS, the invoker's long poll (`ReceiveMessage`, 20 s wait) handing the SQS batch to the real handler as deployed (stream and Cloud Map), then the fleet. In AWS this part is EventBridge → Lambda (async invoke), whose latency this machine cannot measure.",
    ],
  };
}
