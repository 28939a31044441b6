import { UnreachableFromHereError } from "../errors";
import type { FleetState } from "./fleetState";

/** Addresses named in the sentence; the others are counted. */
const SHOWN_ADDRESSES = 3;

/**
 * The error to stop `command` with when no registered instance answered its `State` call at all
 * (every call's deadline passed, or no route): how a fleet inside a VPC looks from a machine outside
 * it. `undefined` when none is registered or any one answered or refused (that is the fleet's state).
 *
 * @example
 * ```ts
 * const unreachable = fleetUnreachableFromHere(await readFleetState(query), "status", 2_000);
 * if (unreachable) throw unreachable;
 * ```
 */
export function fleetUnreachableFromHere(
  state: FleetState,
  command: string,
  deadlineMs: number,
): UnreachableFromHereError | undefined {
  const { instances } = state;
  if (instances.length === 0 || !instances.every((instance) => instance.unanswered)) return undefined;
  const addresses = instances.slice(0, SHOWN_ADDRESSES).map((instance) => instance.address);
  const more = instances.length > SHOWN_ADDRESSES ? ` and ${instances.length - SHOWN_ADDRESSES} more` : "";
  const what =
    instances.length === 1 ? "the registered instance" : `any of the ${instances.length} registered instances`;
  const detail = `no State answer within ${deadlineMs} ms`;
  return new UnreachableFromHereError(what, `${addresses.join(", ")}${more}`, detail, command);
}
