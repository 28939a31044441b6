import { parseStreamEntry, type StreamEntryRejection } from "../../protocol";
import type { CandidateChange } from "../state/applyChanges";
import type { RawStreamEntry } from "./streamReader";

/**
 * The changes that stream entries carry, as candidates for the store; an entry that cannot be read
 * (malformed, or a format this code does not know) is skipped and handed to `onSkipped`.
 */
export function streamCandidates(
  entries: readonly RawStreamEntry[],
  onSkipped: (id: string, rejection: StreamEntryRejection, detail: string) => void,
): CandidateChange[] {
  const candidates: CandidateChange[] = [];
  for (const [id, fields] of entries) {
    const parsed = parseStreamEntry(id, fields);
    if (!parsed.ok) {
      onSkipped(id, parsed.rejection, parsed.detail);
      continue;
    }
    candidates.push({ change: parsed.message, via: "stream", publishedAt: parsed.message.publishedAt, streamId: id });
  }
  return candidates;
}
