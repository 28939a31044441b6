/**
 * How long the whole fleet's reads of one event must spread so that SSM keeps up: the fleet's
 * `GetParametersByPath` and `GetParameter` share one quota per account and region (40 a second by
 * default, `../shared/notes/aws-real-account.md`), with every other reader of that account.
 */
import { PARAMETERS_PAGE_SIZE } from "../ssm/loadParameters";

/** SSM's default throughput for the reads a client makes, per account and region. */
export const SSM_DEFAULT_READS_PER_SECOND = 40;

/** What one fleet may take of it by default for a fleet-wide event: half, the rest left to the account. */
export const FLEET_SPREAD_DEFAULTS = { ssmCallsPerSecond: SSM_DEFAULT_READS_PER_SECOND / 2 } as const;

/** Longest spread window of a fleet-wide read (a reset's reloads, a SecureString change's reads): an hour. */
export const SPREAD_CEILING_MS = 3_600_000;

/** The fleet an instance is one of (the `fleet` option, defaults applied). */
export interface FleetSpread {
  /** Instances that read the same events (every task of the service, in every environment of the account). */
  instances: number;
  /** SSM calls a second the fleet may make together for one fleet-wide event. */
  ssmCallsPerSecond: number;
}

/**
 * The window, ms, over which `fleet` must spread an event that makes each instance call SSM
 * `callsPerInstance` times, for the fleet to average at most its calls a second; never below `floorMs`
 * nor above `ceilingMs`.
 *
 * @example
 * ```ts
 * spreadWindowMs({ instances: 1_000, ssmCallsPerSecond: 20 }, 2, 30_000, 3_600_000); // 100000
 * ```
 */
export function spreadWindowMs(
  fleet: FleetSpread,
  callsPerInstance: number,
  floorMs: number,
  ceilingMs: number,
): number {
  const needed = Math.ceil(((fleet.instances * callsPerInstance) / fleet.ssmCallsPerSecond) * 1000);
  return Math.min(ceilingMs, Math.max(floorMs, needed));
}

/** `GetParametersByPath` calls of one full load of `parameters` (at least one: an empty path is one call). */
export function loadCalls(parameters: number): number {
  return Math.max(1, Math.ceil(parameters / PARAMETERS_PAGE_SIZE));
}
