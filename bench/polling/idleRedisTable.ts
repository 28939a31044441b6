import { CLIENT_DEFAULTS } from "../../runtime/client/resolveOptions";
import type { BenchSection } from "../stats";
import type { IdleMeasurement } from "./benchIdleRedis";

/** Commands of one position check: MULTI, XINFO STREAM, GET epoch, INFO replication, EXEC. */
const CHECK_COMMANDS = 5;
/** The goal of an idle instance, Redis commands a minute. */
const GOAL_PER_MINUTE = 2;

/** Redis commands per instance per minute over the measurement's window. */
export function perInstancePerMinute(measurement: IdleMeasurement, commands = totalOf(measurement.commands)): number {
  return commands / measurement.instances / (measurement.windowMs / 60_000);
}

/** Idle Redis commands per instance per minute, configuration against configuration, from one run. */
export function idleRedisSection(measurements: readonly IdleMeasurement[]): BenchSection {
  const [former, current] = [measurements[0], measurements[measurements.length - 1]];
  const fleetRate = (m: IdleMeasurement, instances: number): string =>
    ((perInstancePerMinute(m) * instances) / 60).toFixed(instances >= 10_000 ? 0 : 1);
  return {
    title: "Idle Redis commands per instance per minute: the former cadence against the defaults, same run",
    headers: [
      "client configuration",
      "instances",
      "XREAD / min / instance",
      "position checks / min / instance",
      "Redis commands / min / instance, every connection",
      "expected",
      `goal ≤ ${GOAL_PER_MINUTE}`,
      "at 1,000 / 10,000 instances, commands / s",
    ],
    rows: measurements.map((m) => {
      const rate = perInstancePerMinute(m);
      const expected = (60_000 / m.blockMs) * (1 + CHECK_COMMANDS / m.positionCheckEvery);
      return [
        `${m.label}: block ${m.blockMs / 1000} s, a check every ${m.positionCheckEvery} idle block${m.positionCheckEvery === 1 ? "" : "s"}`,
        String(m.instances),
        perInstancePerMinute(m, m.commands.xread ?? 0).toFixed(2),
        perInstancePerMinute(m, m.commands.multi ?? 0).toFixed(3),
        rate.toFixed(2),
        expected.toFixed(2),
        rate <= GOAL_PER_MINUTE ? "met" : "not met",
        `${fleetRate(m, 1_000)} / ${fleetRate(m, 10_000)}`,
      ];
    }),
    notes: [
      `Each configuration: ${measurements[0]?.instances ?? 0} ConfigClients started in the bench process (stream only, acknowledgements on: the acks connection counts too), each configuration on a redis-server of its own, all side by side over one window of ${((measurements[0]?.windowMs ?? 0) / 1000).toFixed(1)} s with nothing published. Counted: \`INFO commandstats\` deltas (the bench's own INFO taken out): ${measurements.map((m) => `${m.label}: ${describeCounts(m.commands)}`).join("; ")}.`,
      "The window is a whole number of blocks of every configuration and starts 5 s after the last client went idle, so each instance's blocks that end in it are counted whatever its phase. The checks fall at a phase drawn at random per instance (a fleet spreads them): with a check every K blocks of B seconds the window holds about instances × window ÷ (K × B) of them, a Binomial count; its spread is the run-to-run noise of the position-check column. Expected = blocks a minute × (1 XREAD + 5 commands ÷ K). Besides these, an instance checks after each reconnection and before a batch that does not follow its last id (neither happens while idle); a change costs 1 XREAD and 1 acknowledgement XADD per instance (see the cost table).",
      former && current
        ? `Defaults against the former cadence: ${(perInstancePerMinute(current) / perInstancePerMinute(former)).toFixed(3)}× the commands (${(perInstancePerMinute(former) / perInstancePerMinute(current)).toFixed(0)} times fewer). A connection cut silently (no FIN, no RST) is taken for dead once a read goes unanswered for blockMs + timeoutGraceMs: ${(CLIENT_DEFAULTS.blockMs + CLIENT_DEFAULTS.timeoutGraceMs) / 1000} s with the defaults (the former socket timeout: 10 s), then reopened, the position checked and the read resumed from the last id; TCP keepalive (30 s) finds dead peers of the idle acks connection. The fleet columns multiply the measured rate by the fleet size (instances are independent).`
        : "",
    ].filter((note) => note !== ""),
  };
}

function totalOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function describeCounts(counts: Record<string, number>): string {
  return (
    Object.entries(counts)
      .map(([command, calls]) => `${command} ${calls}`)
      .join(", ") || "none"
  );
}
