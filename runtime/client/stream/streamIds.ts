/** The id before every stream entry: XREAD from it returns the whole stream. */
export const STREAM_START_ID = "0-0";

/** Splits `<ms>-<seq>` into numbers; an id without a sequence (`"5"`) has sequence 0. */
function parts(id: string): [bigint, bigint] {
  const [ms = "0", seq = "0"] = id.split("-");
  return [BigInt(ms), BigInt(seq)];
}

/** Orders two stream ids (`1700000000000-3`): negative when `a` comes first, 0 when equal, positive after. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** True for a well-formed stream id. */
export function isStreamId(id: string): boolean {
  return /^\d+(-\d+)?$/.test(id);
}
