import type { SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterChange } from "../../protocol";
import type { CandidateChange } from "../state/applyChanges";
import { setTimeout as delay } from "node:timers/promises";
import { fetchParameterVersion } from "./fetchParameter";

/**
 * The candidates, with the value of each change `needsValue` picks (a SecureString that may apply)
 * read from SSM at exactly its version. A change from the stream, which every instance reads at
 * once, is read after a random wait of at most `jitterMs`. A failed read becomes the candidate's
 * `fetchError`; never throws.
 */
export async function readSecureValues(
  ssm: SSMClient,
  candidates: readonly CandidateChange[],
  needsValue: (change: ParameterChange) => boolean,
  jitterMs = 0,
): Promise<readonly CandidateChange[]> {
  if (!candidates.some((candidate) => needsValue(candidate.change))) return candidates;
  return Promise.all(
    candidates.map(async (candidate) => {
      if (!needsValue(candidate.change)) return candidate;
      if (jitterMs > 0 && candidate.via === "stream") await delay(Math.floor(Math.random() * jitterMs));
      const fetched = await fetchParameterVersion(ssm, candidate.change.name, candidate.change.version);
      if (!fetched.ok) return { ...candidate, fetchError: fetched.detail };
      return { ...candidate, change: { ...candidate.change, value: fetched.parameter.value } };
    }),
  );
}
