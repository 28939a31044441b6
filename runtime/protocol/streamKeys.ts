/**
 * The Redis keys around one refresh stream. They share a `{hash tag}` so they live in one slot of
 * a Redis Cluster and a Lua script may touch them together. The default stream key of a prefix is
 * `defaultStreamKey` of the pipeline contract (`pipelineContract.ts`).
 */
export interface StreamKeys {
  /** The stream of changes (XADD by the Lambda, XREAD by every instance). */
  stream: string;
  /** Hash name → last published revision, written atomically with each XADD (idempotency). */
  published: string;
  /** A random id set when the stream is (re)created: a new epoch tells instances to reload. */
  epoch: string;
  /** Stream of acknowledgements: what each instance applied, and when. */
  acks: string;
  /** Hash instance id → the refresh function's unanswered invocations in a row (stale registrations). */
  unreachable: string;
}

/**
 * The keys derived from a stream key. When the stream key has no `{hash tag}`, the whole key is
 * used as one, so the derived keys stay in the stream's slot.
 */
export function streamKeys(streamKey: string): StreamKeys {
  const tagged = /\{[^}]+\}/.test(streamKey) ? streamKey : `{${streamKey}}`;
  return {
    stream: streamKey,
    published: `${tagged}:published`,
    epoch: `${tagged}:epoch`,
    acks: `${tagged}:acks`,
    unreachable: `${tagged}:unreachable`,
  };
}
