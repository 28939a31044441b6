import type { ChangeOperation, StreamMessage } from "../../protocol";
import type { ParameterStoreChange } from "../events";
import type { CurrentParameter } from "../parameters";
import type { SkippedChange } from "../types";
import type { PublishedRevision } from "./publishedRevision";

/** One name of the batch: the events that named it and its current state (undefined: deleted). */
export interface ChangedName {
  name: string;
  /** At least one. */
  events: readonly ParameterStoreChange[];
  current: CurrentParameter | undefined;
}

/** A message the script publishes if its revision is newer than the one held. */
export interface PublishCandidate {
  message: Omit<StreamMessage, "format">;
  /** Every event of the name was a label move: a duplicate is then reported as such. */
  labelOnly: boolean;
  /**
   * Deletes only: the `published` hash value the Delete's revision was computed from ("" when
   * none). The script refuses the whole batch if it changed meanwhile, and the batch is planned again.
   */
  expectedHeld?: string;
}

/** The result of {@link planChanges}. */
export interface ChangePlan {
  candidates: PublishCandidate[];
  skipped: SkippedChange[];
}

/**
 * Turns the names of a batch into the messages to publish, from the current state, not the events:
 * - the parameter exists: its current version, type, `LastModifiedDate` and (not SecureString) value;
 *   the operation is `Create` for version 1, `Update` otherwise, `LabelParameterVersion` when only
 *   labels moved. Whether it is new is decided by the script against the `published` hash.
 * - it is gone: a Delete with revision `{version: last published, modifiedAt: max(event time,
 *   last modifiedAt + 1)}`, so it orders after everything it removes; nothing when the last
 *   published revision is already a Delete, or was created after this deletion (a concurrent
 *   invocation saw the parameter re-created).
 *
 * @param held - the `published` hash values of the names that are gone (raw, as HMGET returned them).
 */
export function planChanges(
  names: readonly ChangedName[],
  held: ReadonlyMap<string, { raw: string | null; revision: PublishedRevision | undefined }>,
  publishedAt: number,
): ChangePlan {
  const plan: ChangePlan = { candidates: [], skipped: [] };
  for (const { name, events, current } of names) {
    const latest = latestEvent(events);
    const labelOnly = events.every((event) => event.operation === "LabelParameterVersion");
    const common = { name, changedAt: latest.time, publishedAt, eventId: latest.eventId };
    if (current) {
      const operation: ChangeOperation = labelOnly
        ? "LabelParameterVersion"
        : current.version === 1
          ? "Create"
          : "Update";
      plan.candidates.push({
        labelOnly,
        message: {
          ...common,
          operation,
          version: current.version,
          type: current.type,
          modifiedAt: current.modifiedAt,
          ...(current.value !== undefined ? { value: current.value } : {}),
        },
      });
      continue;
    }
    const entry = held.get(name);
    const last = entry?.revision;
    const deletions = events.filter((event) => event.operation === "Delete");
    const deletedAt = latestEvent(deletions.length > 0 ? deletions : events).time;
    if (last?.operation === "Delete") {
      plan.skipped.push({ name, reason: "already-deleted" });
      continue;
    }
    if (last && last.modifiedAt > latestPossibleTime(deletedAt)) {
      // The stream holds a revision created after this deletion (seen by another invocation).
      plan.skipped.push({ name, reason: "older-than-published" });
      continue;
    }
    plan.candidates.push({
      labelOnly: false,
      expectedHeld: entry?.raw ?? "",
      message: {
        ...common,
        operation: "Delete",
        version: last?.version ?? 0,
        // A Delete's type only tells readers what was removed; a deletion event normally carries it.
        type: last?.type ?? latest.type ?? "String",
        modifiedAt: last ? Math.max(deletedAt, last.modifiedAt + 1) : deletedAt,
      },
    });
  }
  return plan;
}

/** The most recent event (by time; on a tie, the later one in the input). */
function latestEvent(events: readonly ParameterStoreChange[]): ParameterStoreChange {
  return events.reduce((latest, event) => (event.time >= latest.time ? event : latest));
}

/** EventBridge times are whole seconds: an event at 12:00:00Z may stand for anything up to 12:00:00.999Z. */
function latestPossibleTime(eventTime: number): number {
  return eventTime % 1000 === 0 ? eventTime + 999 : eventTime;
}
