import type { SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterChange } from "../../protocol";
import type { CandidateChange } from "../state/applyChanges";
import { fetchParameterVersion } from "./fetchParameter";

/**
 * The candidates, with the value of each change `needsValue` picks (a SecureString that may apply)
 * read from SSM at exactly its version. A failed read becomes the candidate's `fetchError`; never throws.
 */
export async function readSecureValues(
  ssm: SSMClient, candidates: readonly CandidateChange[], needsValue: (change: ParameterChange) => boolean,
): Promise<readonly CandidateChange[]> {
  if (!candidates.some((candidate) => needsValue(candidate.change))) return candidates;
  return Promise.all(candidates.map(async (candidate) => {
    if (!needsValue(candidate.change)) return candidate;
    const fetched = await fetchParameterVersion(ssm, candidate.change.name, candidate.change.version);
    if (!fetched.ok) return { ...candidate, fetchError: fetched.detail };
    return { ...candidate, change: { ...candidate.change, value: fetched.parameter.value } };
  }));
}
