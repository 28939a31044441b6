import { compareRevisions } from "../../protocol";
import type { ParameterStoreChange } from "../events";
import type { CurrentParameter } from "../parameters";
import type { ChangedName } from "../stream";
import { parsePublishedRevision } from "../stream/publishedRevision";

/** What the reconciler hands to the idempotent publish, and why. */
export interface ReconcilePlan {
  /** Names whose SSM state the stream does not hold yet: newer, never published, or gone. */
  names: ChangedName[];
  /** How many of them are deletions (published, gone from SSM). */
  deletions: number;
}

/**
 * Compares one sweep of the prefix with the `published` hash: a name is to publish when SSM holds
 * a newer revision than the hash (or the hash has none, or an unreadable one), or when the hash
 * holds a live revision of a name SSM no longer has. Everything else is left alone, so a healthy
 * pipeline publishes nothing. Each name gets one synthetic event at `sweptAt`, the time the sweep
 * began: a Delete is then ordered before any re-creation the sweep did not see (`planChanges`).
 *
 * @param held - the raw `published` hash (name → JSON revision).
 */
export function planReconcile(
  prefix: string,
  parameters: ReadonlyMap<string, CurrentParameter>,
  held: ReadonlyMap<string, string>,
  sweptAt: number,
): ReconcilePlan {
  // planChanges widens a whole-second event time by 999 ms (EventBridge's precision): never give it one.
  const time = sweptAt % 1000 === 0 ? sweptAt - 1 : sweptAt;
  const event = (name: string, operation: ParameterStoreChange["operation"]): ParameterStoreChange => ({
    eventId: `reconcile-${sweptAt}`,
    name,
    operation,
    time,
    source: "reconcile",
  });
  const plan: ReconcilePlan = { names: [], deletions: 0 };
  for (const [name, current] of parameters) {
    const revision = parsePublishedRevision(held.get(name));
    // Older in SSM than on the stream (a hand-written entry): the publish would refuse it; instances' reloads heal it.
    if (revision && compareRevisions(current, revision) <= 0) continue;
    plan.names.push({ name, events: [event(name, "Update")], current });
  }
  for (const [name, raw] of held) {
    if (!name.startsWith(prefix) || parameters.has(name)) continue;
    const revision = parsePublishedRevision(raw);
    if (revision?.operation === "Delete") continue;
    plan.names.push({ name, events: [event(name, "Delete")], current: undefined });
    plan.deletions++;
  }
  return plan;
}
