import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { describeError } from "../../common/errors";
import type { RefreshLogger, RefreshMetrics } from "../observability";
import type { RefreshResult } from "../types/RefreshResult";
import { fleetVerdicts } from "./fleetVerdict";
import { revertRefusedChange } from "./revertRefusedChange";
import type { RevertReport, RevertWrite } from "./revertReport";

/** The metric names of reverts, for dashboards and the alarm. */
export const REVERT_METRICS = {
  /** Values the whole fleet refused, written back to the last accepted value. The alarm watches it. */
  reverts: "Reverts",
  /** Values the whole fleet refused and that were left in SSM (off, SecureString, superseded, ...). */
  unrevertedRefusals: "UnrevertedRefusals",
  /** Values part of the fleet refused (never reverted). */
  mixedRefusals: "MixedRefusals",
  /** Reverts that failed (SSM unavailable or refusing the write). */
  revertFailures: "RevertFailures",
} as const;

/** What the reverter works with. */
export interface RefusedValueReverterOptions {
  ssm: SSMClient;
  /** Writes reverts (the component argument); off, refusals are only reported. */
  enabled: boolean;
  logger: RefreshLogger;
  metrics: RefreshMetrics;
  /** Called after each revert SSM accepted (the local pipeline relays its change event). */
  onWritten?(write: RevertWrite): Promise<void>;
}

/**
 * Reads the fan-out's per-instance answers of an invocation and reverts in SSM each value the whole
 * answering fleet refused for its schema (see `revertRefusedChange` for the rules), reporting every
 * refusal in `result.reverts`, a log line and the metrics.
 *
 * @example
 * ```ts
 * const reverter = new RefusedValueReverter({ ssm, enabled: true, logger, metrics });
 * await reverter.revert(result); // result.reverts
 * ```
 */
export class RefusedValueReverter {
  public constructor(private readonly options: RefusedValueReverterOptions) {}

  /** Reverts what `result` says the fleet refused; sets `result.reverts` (empty when nothing was refused). */
  public async revert(result: RefreshResult): Promise<void> {
    const { ssm, enabled, logger, metrics, onWritten } = this.options;
    const verdicts = fleetVerdicts(result.published, result.instances);
    const reports: RevertReport[] = [];
    for (const verdict of verdicts) {
      const { report, write } = await revertRefusedChange(ssm, verdict, enabled);
      reports.push(report);
      if (write && onWritten) {
        await onWritten(write).catch((error: unknown) =>
          logger.error("revert written, its change event was not", { name: write.name, error: describeError(error) }),
        );
      }
      const line = { ...report };
      if (report.action === "reverted") logger.warn("reverted a value the whole fleet refused", line);
      else if (report.action === "failed") logger.error("could not revert a value the whole fleet refused", line);
      else logger.warn("a refused value stays in SSM", line);
    }
    result.reverts = reports;
    const count = (name: string, actions: readonly RevertReport["action"][]): void => {
      metrics.addMetric(name, MetricUnit.Count, reports.filter((r) => actions.includes(r.action)).length);
    };
    count(REVERT_METRICS.reverts, ["reverted"]);
    count(REVERT_METRICS.mixedRefusals, ["mixed"]);
    count(REVERT_METRICS.revertFailures, ["failed"]);
    count(REVERT_METRICS.unrevertedRefusals, [
      "disabled",
      "secure-string",
      "deletion",
      "superseded",
      "revert-of-revert",
      "nothing-to-restore",
    ]);
  }
}
