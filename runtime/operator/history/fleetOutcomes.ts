import type { Redis } from "ioredis";
import { xinfoStreamFields } from "../../client/stream/streamPosition";
import { parseAckEntry } from "../../protocol/ackMessage";
import { isRefusalEntry, parseRefusalEntry, type RefusalReason } from "../../protocol/refusalMessage";

/** Entries read per XRANGE call. */
const ENTRIES_PER_CALL = 1_000;
/** Most entries read (the acks stream keeps ~10,000 by default): the bound only stops a runaway. */
const MAX_ENTRIES = 1_000_000;
/**
 * How far Redis's clock may be behind SSM's: an acknowledgement of a version modified this close after
 * the oldest entry left may have been trimmed, and its outcome is unknown rather than short.
 */
export const ACK_CLOCK_MARGIN_MS = 1_000;

/** One instance's refusal of a version. */
export interface VersionRefusal {
  instanceId: string;
  reason: RefusalReason;
  detail: string;
}

/** What the acks stream says the fleet did with one version. */
export interface RecordedOutcome {
  /** Instances that acknowledged it (each once). */
  appliedBy: string[];
  /** Instances that refused it (each once), with their reason. */
  refusals: VersionRefusal[];
}

/** Everything the acks stream still holds about one parameter. */
export interface RecordedOutcomes {
  /** False when the acks stream does not exist: nothing was ever recorded. */
  exists: boolean;
  /**
   * Entries written before this time (epoch ms) were trimmed away: the outcome of a version modified
   * before it (plus {@link ACK_CLOCK_MARGIN_MS}) is unknown. Undefined: nothing was ever trimmed.
   */
  trimmedBefore?: number;
  /** Entries after this time were not read (more than the reader's bound): unknown too. */
  readUntil?: number;
  /** `version:modifiedAt` → outcome; a version without entries has none. */
  byRevision: Map<string, RecordedOutcome>;
}

/** The key of a version in {@link RecordedOutcomes.byRevision}. */
export function revisionKey(version: number, modifiedAt: number | undefined): string {
  return `${version}:${modifiedAt ?? "?"}`;
}

/**
 * Reads the acks stream (`XINFO STREAM`, then `XRANGE` in pages: commands the services' Redis user may
 * run) and keeps the acknowledgements and refusals of `name`, per revision: an entry counts for a
 * version only when its `modifiedAt` is that version's (a parameter deleted and created again reuses
 * its version numbers). Whether entries were trimmed comes from `entries-added` against `length`
 * (Redis 7; an older Redis counts as trimmed) and the first entry left.
 *
 * @throws what ioredis throws (NOPERM for a user that may not read the acks stream).
 *
 * @example
 * ```ts
 * const recorded = await readRecordedOutcomes(redis, streamKeys(streamKey).acks, "/shop/beta/log_level");
 * ```
 */
export async function readRecordedOutcomes(redis: Redis, acksKey: string, name: string): Promise<RecordedOutcomes> {
  let info: ReturnType<typeof xinfoStreamFields>;
  try {
    info = xinfoStreamFields(await redis.xinfo("STREAM", acksKey));
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return { exists: false, byRevision: new Map() };
    throw error;
  }
  const trimmed = info.entriesAdded === undefined || info.entriesAdded > info.length;
  const outcomes: RecordedOutcomes = {
    exists: true,
    ...(trimmed ? { trimmedBefore: idTime(info.firstEntryId ?? info.lastGeneratedId) } : {}),
    byRevision: new Map(),
  };
  const seen = new Map<string, { applied: Set<string>; refused: Map<string, VersionRefusal> }>();
  const record = (key: string) => {
    const known = seen.get(key);
    if (known) return known;
    const entry = { applied: new Set<string>(), refused: new Map<string, VersionRefusal>() };
    seen.set(key, entry);
    return entry;
  };
  let start = "-";
  let read = 0;
  while (read < MAX_ENTRIES) {
    const entries = await redis.xrange(acksKey, start, "+", "COUNT", ENTRIES_PER_CALL);
    for (const [id, fields] of entries) {
      if (isRefusalEntry(fields)) {
        const parsed = parseRefusalEntry(id, fields);
        if (!parsed.ok || parsed.refusal.name !== name) continue;
        const { refusal } = parsed;
        const key = revisionKey(refusal.version, refusal.modifiedAt);
        const { instanceId, reason, detail } = refusal;
        record(key).refused.set(instanceId, { instanceId, reason, detail });
        continue;
      }
      const parsed = parseAckEntry(id, fields);
      if (parsed.ok && parsed.ack.name === name)
        record(revisionKey(parsed.ack.version, parsed.ack.modifiedAt)).applied.add(parsed.ack.instanceId);
    }
    read += entries.length;
    const last = entries.at(-1)?.[0];
    if (entries.length < ENTRIES_PER_CALL || !last) break;
    start = `(${last}`;
    if (read >= MAX_ENTRIES) outcomes.readUntil = idTime(last);
  }
  for (const [key, { applied, refused }] of seen) {
    outcomes.byRevision.set(key, {
      appliedBy: [...applied].sort(byInstance),
      refusals: [...refused.values()].sort((a, b) => byInstance(a.instanceId, b.instanceId)),
    });
  }
  return outcomes;
}

/**
 * Whether the acks stream still holds every entry a version modified at `modifiedAt` can have: it
 * exists, and nothing written after the version's modification was trimmed (or left unread).
 */
export function outcomeKnowable(recorded: RecordedOutcomes, modifiedAt: number | undefined): string | undefined {
  if (!recorded.exists) return "no acks stream: nothing was recorded";
  if (modifiedAt === undefined) return "SSM gives no modification time";
  if (recorded.trimmedBefore !== undefined && modifiedAt <= recorded.trimmedBefore + ACK_CLOCK_MARGIN_MS)
    return "acks trimmed from the stream";
  if (recorded.readUntil !== undefined) return "acks not read (the stream is longer than the reader's bound)";
  return undefined;
}

/** Epoch ms of a stream id. */
function idTime(id: string): number {
  return Number(id.split("-")[0] ?? 0);
}

function byInstance(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
