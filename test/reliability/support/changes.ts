import type { WrittenParameter } from "../../../runtime/operator/relay/writeParameter";
import type { ReliabilityPipeline } from "./pipeline";

/**
 * Writes `count` changes through the whole local pipeline (PutParameter, then the "Parameter Store
 * Change" event relayed to EventBridge, routed by the component's rule to the queue the invoker
 * polls), round-robin over `keys` (relative to the prefix), `concurrency` at a time. `beforeWrite`
 * runs before write number `index` (0-based) is sent: fault injection at a chosen point.
 */
export async function writeChanges(
  env: ReliabilityPipeline,
  options: {
    keys: readonly string[];
    count: number;
    concurrency?: number;
    tag: string;
    beforeWrite?(index: number): Promise<void> | void;
  },
): Promise<WrittenParameter[]> {
  const written: WrittenParameter[] = [];
  let next = 0;
  const concurrency = options.concurrency ?? 1;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const index = next++;
        if (index >= options.count) return;
        await options.beforeWrite?.(index);
        const key = options.keys[index % options.keys.length] as string;
        written.push(await env.pipeline.writeParameter(key, `${options.tag}-${index}`, { type: "String" }));
      }
    }),
  );
  return written;
}
