import {
  FLEET_SPREAD_DEFAULTS,
  loadCalls,
  SPREAD_CEILING_MS,
  SSM_DEFAULT_READS_PER_SECOND,
  spreadWindowMs,
} from "../../runtime/client/reload/fleetSpread";
import { CLIENT_DEFAULTS } from "../../runtime/client/resolveOptions";
import { RECONCILE_DEFAULTS } from "../../runtime/protocol/pipelineContract";

/** SSM's default throughput per account and region, shared by every reader (`../shared/notes/aws-real-account.md`). */
export const SSM_QUOTA_PER_SECOND = SSM_DEFAULT_READS_PER_SECOND;
/** What one fleet-wide event may take of that quota when its window is scaled to the fleet (the client's `fleet` default). */
export const SPREAD_BUDGET_PER_SECOND = FLEET_SPREAD_DEFAULTS.ssmCallsPerSecond;

/** The client options a design sets (what the measured fleet passes to `createConfigClient`). */
export interface DesignClientOptions {
  reloadIntervalMs: number;
  resetReloadWindowMs: number;
  secureReadJitterMs: number;
  stream?: { blockMs: number; positionCheckEvery: number };
}

/** One way of running the fleet: the instances' options and whether a reconciler runs. */
export interface FleetDesign {
  key: "today" | "new" | "scaled";
  label: string;
  client: DesignClientOptions;
  /** The reconciler's interval, ms (one per environment); undefined: none (today). */
  reconcileIntervalMs?: number;
}

/**
 * Today's design, reproduced with the options of the current code: every instance reloads every 5
 * minutes (a uniform phase), reloads at once after a reset, reads a SecureString change at once,
 * and its stream reader blocks 5 s per `XREAD` and checks its position after every idle block (the
 * cadence `bench/RESULTS.md` measured 67.6 commands a minute with). No reconciler.
 */
export const TODAY: FleetDesign = {
  key: "today",
  label: "today",
  client: {
    reloadIntervalMs: 5 * 60_000,
    resetReloadWindowMs: 0,
    secureReadJitterMs: 0,
    stream: { blockMs: 5_000, positionCheckEvery: 1 },
  },
};

/** The new design with the client's and the reconciler's defaults. */
export const NEW: FleetDesign = {
  key: "new",
  label: "new, defaults",
  client: {
    reloadIntervalMs: CLIENT_DEFAULTS.reloadIntervalMs,
    resetReloadWindowMs: CLIENT_DEFAULTS.resetReloadWindowMs,
    secureReadJitterMs: CLIENT_DEFAULTS.secureReadJitterMs,
  },
  reconcileIntervalMs: RECONCILE_DEFAULTS.intervalMinutes * 60_000,
};

/**
 * The new design with the client's `fleet` option set to the fleet's size: its two windows as the
 * client derives them (`spreadWindowMs`), a reset's reloads (`pagesPerLoad` calls each) and a
 * SecureString change's reads (1 each) spread so that the fleet averages at most
 * {@link SPREAD_BUDGET_PER_SECOND} calls a second.
 */
export function scaledDesign(instances: number, pagesPerLoad: number): FleetDesign {
  const fleet = { instances, ssmCallsPerSecond: SPREAD_BUDGET_PER_SECOND };
  return {
    key: "scaled",
    label: "new, fleet: { instances }",
    client: {
      ...NEW.client,
      resetReloadWindowMs: spreadWindowMs(
        fleet,
        loadCalls(pagesPerLoad * 10),
        CLIENT_DEFAULTS.resetReloadWindowMs,
        SPREAD_CEILING_MS,
      ),
      secureReadJitterMs: spreadWindowMs(fleet, 1, CLIENT_DEFAULTS.secureReadJitterMs, SPREAD_CEILING_MS),
    },
    ...(NEW.reconcileIntervalMs !== undefined ? { reconcileIntervalMs: NEW.reconcileIntervalMs } : {}),
  };
}
