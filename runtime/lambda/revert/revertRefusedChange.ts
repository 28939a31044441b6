import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { describeError } from "../../common/errors";
import type { FleetVerdict } from "./fleetVerdict";
import { readParameterVersions } from "./readParameterVersions";
import { isRevertVersion, revertDescription } from "./revertDescription";
import type { RevertReport, RevertWrite } from "./revertReport";

/**
 * Decides and, when every rule allows it, performs the revert of one refused change: only a change
 * the whole answering fleet refused, never a SecureString or a deletion, only while SSM's current
 * version is still the refused one (re-read just before the write), never a revert of a revert.
 * The write is a new version carrying the value of the version the instances hold, with a
 * description saying what, why and by how many. Never throws: a failure is reported.
 */
export async function revertRefusedChange(
  ssm: SSMClient,
  verdict: FleetVerdict,
  enabled: boolean,
): Promise<{ report: RevertReport; write?: RevertWrite }> {
  const { change, refusedBy, answered, heldVersion, detail } = verdict;
  const base = { name: change.name, refusedVersion: change.version, refusedBy, answered };
  const report = (
    action: RevertReport["action"],
    why: string,
    extra: Partial<RevertReport> = {},
  ): { report: RevertReport } => ({ report: { ...base, action, detail: why, ...extra } });
  if (verdict.verdict === "mixed") {
    return report(
      "mixed",
      `${refusedBy} of ${answered} instances refused it (${detail}); others accepted it: not reverted`,
    );
  }
  if (change.operation === "Delete") return report("deletion", `every instance refused the deletion (${detail})`);
  if (change.type === "SecureString")
    return report("secure-string", `every instance refused it (${detail}); a SecureString is never reverted`);
  if (!enabled) return report("disabled", `every instance refused it (${detail}); reverting is off`);
  if (heldVersion === 0)
    return report("nothing-to-restore", `every instance refused it (${detail}) and none holds an earlier version`);
  try {
    // The re-read just before the write: a later version means someone wrote again, and wins.
    const versions = await readParameterVersions(ssm, change.name);
    const current = versions[0];
    if (current?.Version !== change.version) {
      return report(
        "superseded",
        `SSM holds version ${current?.Version ?? "none"} now, not the refused ${change.version}: left alone`,
      );
    }
    if (isRevertVersion(current.Version, current.Description)) {
      return report(
        "revert-of-revert",
        `version ${change.version} is itself a revert and was refused too (${detail}): not reverted again`,
      );
    }
    const restored = versions.find((v) => v.Version === heldVersion);
    if (restored?.Value === undefined) {
      return report(
        "nothing-to-restore",
        `version ${heldVersion}, which the instances hold, is no longer in SSM's history`,
      );
    }
    const description = revertDescription({
      refusedVersion: change.version,
      restoredVersion: heldVersion,
      refusedBy,
      answered,
      detail,
    });
    const put = await ssm.send(
      new PutParameterCommand({
        Name: change.name,
        Value: restored.Value,
        Type: current.Type ?? change.type,
        Overwrite: true,
        Description: description,
        ...(current.Tier === "Advanced" ? { Tier: "Advanced" } : {}),
      }),
    );
    const version = put.Version ?? 0;
    return {
      report: {
        ...base,
        action: "reverted",
        restoredVersion: heldVersion,
        revertVersion: version,
        detail: description,
      },
      write: { name: change.name, version, type: change.type, description },
    };
  } catch (error) {
    return report("failed", `the revert of version ${change.version} failed: ${describeError(error)}`);
  }
}
