import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { buildStreamFields, streamKeys, type StreamKeys } from "../../protocol";
import { describeError } from "../../common/errors";
import { StreamPublishError } from "../errors";
import type { PublishedChange, SkippedChange } from "../types";
import { planChanges, type ChangedName, type PublishCandidate } from "./planChanges";
import { PUBLISH_COMMAND, PUBLISH_SCRIPT } from "./publishScript";
import { formatPublishedRevision, parsePublishedRevision } from "./publishedRevision";

/** Options of {@link StreamPublisher}. */
export interface StreamPublisherOptions {
  /** The stream key; the other keys derive from it (`streamKeys`). */
  streamKey: string;
  /** Approximate MAXLEN of the stream. */
  maxLength: number;
  /** Clock for `publishedAt`, epoch ms (tests). */
  now?(): number;
}

/** What {@link StreamPublisher.publish} did. */
export interface PublishOutcome {
  published: PublishedChange[];
  skipped: SkippedChange[];
}

/** Times a batch is planned again when a concurrent invocation changed a Delete's basis. */
const MAX_PLANS = 3;

type PublishCommand = { [PUBLISH_COMMAND](...args: (string | number)[]): Promise<string[]> };

/**
 * Publishes a batch's changes on the Redis stream, idempotently and version-monotonically: one
 * script call writes every entry that is newer than the last published revision of its name, with
 * the revision, atomically (see `publishScript.ts` and `publishedRevision.ts`). The same event
 * twice, or an older state after a newer one, publishes nothing.
 *
 * @example
 * ```ts
 * const publisher = new StreamPublisher(redis, { streamKey: "config-refresh:{/shop/beta/}", maxLength: 10_000 });
 * const { published, skipped } = await publisher.publish([{ name, events, current }]);
 * ```
 */
export class StreamPublisher {
  public readonly keys: StreamKeys;
  private readonly now: () => number;

  public constructor(
    private readonly redis: Redis,
    private readonly options: StreamPublisherOptions,
  ) {
    this.keys = streamKeys(options.streamKey);
    this.now = options.now ?? Date.now;
    redis.defineCommand(PUBLISH_COMMAND, { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
  }

  /**
   * Publishes what is new among `names`.
   * @throws {@link StreamPublishError} when Redis fails or times out: retry the invocation (what
   * was written, if anything, is not written twice).
   */
  public async publish(names: readonly ChangedName[]): Promise<PublishOutcome> {
    if (names.length === 0) return { published: [], skipped: [] };
    try {
      for (let attempt = 1; attempt <= MAX_PLANS; attempt++) {
        const plan = planChanges(names, await this.heldRevisions(names), this.now());
        if (plan.candidates.length === 0) return { published: [], skipped: plan.skipped };
        const reply = await this.run(plan.candidates);
        if (reply[0] === "conflict") continue;
        return this.outcome(plan.candidates, reply.slice(1), plan.skipped);
      }
    } catch (error) {
      throw new StreamPublishError(`cannot publish to the stream ${this.keys.stream}: ${describeError(error)}`, {
        cause: error,
      });
    }
    throw new StreamPublishError(
      `deletions were superseded by concurrent invocations ${MAX_PLANS} times in a row; retry`,
    );
  }

  /** The `published` hash values of the names that are gone (a Delete's revision depends on them). */
  private async heldRevisions(
    names: readonly ChangedName[],
  ): Promise<Map<string, { raw: string | null; revision: ReturnType<typeof parsePublishedRevision> }>> {
    const gone = names.filter((n) => n.current === undefined).map((n) => n.name);
    const held = new Map<string, { raw: string | null; revision: ReturnType<typeof parsePublishedRevision> }>();
    if (gone.length === 0) return held;
    const values = await this.redis.hmget(this.keys.published, ...gone);
    for (const [index, name] of gone.entries()) {
      held.set(name, { raw: values[index] ?? null, revision: parsePublishedRevision(values[index]) });
    }
    return held;
  }

  private run(candidates: readonly PublishCandidate[]): Promise<string[]> {
    const args = candidates.map(({ message, expectedHeld }) =>
      JSON.stringify({
        name: message.name,
        version: message.version,
        modifiedAt: message.modifiedAt,
        fields: buildStreamFields(message),
        held: formatPublishedRevision(message),
        ...(expectedHeld !== undefined ? { expected: expectedHeld } : {}),
      }),
    );
    const command = this.redis as unknown as PublishCommand;
    return command[PUBLISH_COMMAND](
      this.keys.stream,
      this.keys.published,
      this.keys.epoch,
      this.options.maxLength,
      randomUUID(),
      ...args,
    );
  }

  private outcome(
    candidates: readonly PublishCandidate[],
    verdicts: readonly string[],
    skipped: SkippedChange[],
  ): PublishOutcome {
    const outcome: PublishOutcome = { published: [], skipped };
    candidates.forEach(({ message, labelOnly }, index) => {
      const verdict = verdicts[index];
      if (verdict === "same") {
        outcome.skipped.push({ name: message.name, reason: labelOnly ? "label-without-new-version" : "duplicate" });
      } else if (verdict === "older") {
        outcome.skipped.push({ name: message.name, reason: "older-than-published" });
      } else if (typeof verdict === "string" && /^\d+-\d+$/.test(verdict)) {
        outcome.published.push({ format: 1, ...message, streamId: verdict });
      } else {
        throw new Error(`the publish script answered ${String(verdict)} for ${message.name}`);
      }
    });
    return outcome;
  }
}
