/**
 * Refusals grouped by their reason and sentence, in first-seen order: `shop-1, shop-2 (VALIDATION_FAILED:
 * log_level: ...)` reads better than one line per instance when a whole fleet shares one schema.
 *
 * @example
 * ```ts
 * groupByReason([{ instanceId: "shop-1", reason: "UNKNOWN_NAME", detail: "x" }]);
 * // [{ reason: "UNKNOWN_NAME: x", instances: ["shop-1"] }]
 * ```
 */
export function groupByReason(
  refusals: readonly { instanceId: string; reason: string; detail: string }[],
): { reason: string; instances: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const { instanceId, reason, detail } of refusals) {
    const key = `${reason}: ${detail}`;
    groups.set(key, [...(groups.get(key) ?? []), instanceId]);
  }
  return [...groups].map(([reason, instances]) => ({ reason, instances }));
}
