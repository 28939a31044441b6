import { waitUntil } from "../../../../runtime/local/servers";

/** Polls `condition` every 20 ms until it holds, for at most `timeoutMs` (then fails naming `what`). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 8_000,
): Promise<void> {
  await waitUntil(what, async () => condition(), timeoutMs, 20);
}

/** Resolves after `ms` (to let something that must NOT happen have its chance). */
export function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
