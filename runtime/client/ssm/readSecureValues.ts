import type { SSMClient } from "@aws-sdk/client-ssm";
import { SYSTEM_TIMERS, sleepOn, type Timers } from "../../common/timers";
import type { ParameterChange } from "../../protocol";
import type { CandidateChange } from "../state/applyChanges";
import { fetchParameterVersion } from "./fetchParameter";

/** What the read jitter waits on and draws from: Node's timers and `Math.random` unless given. */
export interface JitterTiming {
  readonly timers?: Timers;
  /** Draws in [0, 1). */
  readonly random?: () => number;
}

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
  timing: JitterTiming = {},
): Promise<readonly CandidateChange[]> {
  if (!candidates.some((candidate) => needsValue(candidate.change))) return candidates;
  const random = timing.random ?? Math.random;
  return Promise.all(
    candidates.map(async (candidate) => {
      if (!needsValue(candidate.change)) return candidate;
      if (jitterMs > 0 && candidate.via === "stream") {
        await sleepOn(timing.timers ?? SYSTEM_TIMERS, Math.floor(random() * jitterMs));
      }
      const fetched = await fetchParameterVersion(ssm, candidate.change.name, candidate.change.version);
      if (!fetched.ok) return { ...candidate, fetchError: fetched.detail };
      return { ...candidate, change: { ...candidate.change, value: fetched.parameter.value } };
    }),
  );
}
