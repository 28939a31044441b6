import { fleetUnreachableFromHere } from "./fleetReachability";
import { readFleetState, STATE_DEADLINE_MS, type FleetStateQuery, type InstanceState } from "./fleetState";

/** Pause between two reads of the fleet while waiting. */
const WAIT_POLL_MS = 200;

/** How a wait for one version ended. */
export interface FleetWait {
  /** Every registered instance holds the version (and at least one is registered). */
  held: boolean;
  /** Instances registered at the last read. */
  registered: number;
  /** Those that do not hold it at the last read. */
  behind: InstanceState[];
}

/**
 * Reads the fleet (`readFleetState`) until every registered instance holds `version` of `name`, or
 * `timeoutMs` passed (a bounded loop: one read every 200 ms).
 *
 * @throws `UnreachableFromHereError` at once when no instance answers from this machine (`command`
 * names where to run instead), and what `readFleetState` throws.
 *
 * @example
 * ```ts
 * const wait = await waitForFleetVersion(query, "/shop/beta/log_level", 8, 30_000, "status");
 * if (!wait.held) console.log(wait.behind.map((i) => i.instanceId));
 * ```
 */
export async function waitForFleetVersion(
  query: FleetStateQuery,
  name: string,
  version: number,
  timeoutMs: number,
  command: string,
): Promise<FleetWait> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readFleetState(query);
    const unreachable = fleetUnreachableFromHere(state, command, query.deadlineMs ?? STATE_DEADLINE_MS);
    if (unreachable) throw unreachable;
    const behind = state.instances.filter((instance) => instance.held?.get(name) !== version);
    const registered = state.instances.length;
    if ((registered > 0 && behind.length === 0) || Date.now() >= deadline)
      return { held: registered > 0 && behind.length === 0, registered, behind };
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
