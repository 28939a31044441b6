/**
 * The one way the runtime turns an unknown thrown value into an `Error` or a sentence. Shared by the
 * client, the refresh function, the operator commands and the local pipeline: no AWS or Pulumi import.
 */

/**
 * `thrown` as an `Error`: itself when it is one, otherwise an `Error` whose message is its text.
 *
 * @example
 * ```ts
 * try { await work(); } catch (thrown) { hooks.onError(toError(thrown)); }
 * ```
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** A sentence describing `thrown` (`Name: message`) for a log line or a result, never a value or a token. */
export function describeError(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
}
