import type { BenchSection } from "../stats";
import type { BurstCost } from "./benchCostPerChange";

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const list = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(", ") || "none";
const per = (value: number, by: number): string => (value / by).toFixed(value / by < 10 ? 2 : 1);

/** The cost table: calls and commands per burst, per change, and per change and instance. */
export function costSection(costs: readonly BurstCost[]): BenchSection {
  const rows = costs.map((c) => {
    const redis = total(c.redis);
    return [
      c.delivery === "each" ? "each event before the next write" : "burst written, then its events",
      String(c.changes),
      String(c.invocations),
      String(c.published),
      String(c.refreshCalls),
      `${total(c.handlerSsm)} (${per(total(c.handlerSsm), c.changes)})`,
      `${total(c.handlerCloudMap)} (${per(total(c.handlerCloudMap), c.changes)})`,
      String(total(c.fleetSsm)),
      `${redis} (${per(redis, c.changes)})`,
      per(redis, c.changes * c.instances),
    ];
  });
  const single = costs.find((c) => c.changes === 1 && c.delivery === "each");
  const instances = costs[0]?.instances ?? 0;
  return {
    title: `Cost per change: bursts of K changes over 5 parameters, fleet of ${instances} instances listening`,
    headers: [
      "delivery",
      "K",
      "invocations",
      "published",
      "Refresh calls",
      "SSM calls, function (per change)",
      "Cloud Map calls (per change)",
      "SSM calls, fleet",
      "Redis commands (per change)",
      "Redis commands per change per instance",
    ],
    rows,
    notes: [
      "The real refresh function as deployed (stream and Cloud Map), invoked once per event as EventBridge invokes a Lambda, K PutParameter writes round-robin over 5 parameters. SSM and Cloud Map calls counted in the SDK middleware (every HTTP attempt); Redis commands from `INFO commandstats` deltas on the bench's own Redis (commands inside the Lua script count under their own names; the fleet's idle XREAD time-outs during the burst are included). The writes themselves are not counted.",
      "A String/StringList value travels in the stream entry and in the Refresh call, so the fleet reads nothing from SSM (a SecureString costs one `GetParameter` per instance and change).",
      single
        ? `One change, by command: ${list(single.redis)}. Function: ${list(single.handlerSsm)}; ${list(single.handlerCloudMap)}.`
        : "",
    ].filter(Boolean),
  };
}
