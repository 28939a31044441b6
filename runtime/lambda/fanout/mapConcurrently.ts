/**
 * `Promise.all(items.map(task))` with at most `limit` tasks running at once, results in the order
 * of `items`. `task` must not reject (a rejection rejects the whole, as `Promise.all` does).
 *
 * @example
 * ```ts
 * const answers = await mapConcurrently(instances, 128, (instance) => refreshInstance(instance, request, options));
 * ```
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
