import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { Redis } from "ioredis";
import { describeError } from "../../common/errors";
import { parseStreamEntry, type ParameterChange, type StreamKeys } from "../../protocol";

/** A change of a `Refresh` call and the stream entry the function says published it. */
export interface ClaimedChange {
  change: ParameterChange;
  streamId?: string;
}

/** The verdict on one claimed change: held by the pipeline, or why not (a sentence, never a value). */
export type PublishedVerdict = { published: true } | { published: false; detail: string };

/** What {@link PublishedChangeCheck} reads. */
export interface PublishedChangeCheckDeps {
  /** A connection that is not blocked on XREAD (the stream reader's is). */
  redis(): Redis;
  keys: StreamKeys;
  /** Client for the fallback reads (`GetParameter`, no decryption needed). */
  ssm: SSMClient;
}

const SAME_FIELDS = ["name", "operation", "version", "type", "value", "modifiedAt"] as const;

/**
 * Checks a `Refresh` call's changes against what the pipeline published, so that holding the refresh
 * token is not enough to make an instance hold a value: each change must be the stream entry it names
 * (one Redis round trip for the whole call: one `XRANGE id id` each, pipelined), or, when that entry is
 * gone or not named, what SSM holds (`GetParameter name:version`; a Delete: the name is gone). A
 * SecureString change carries no value (the instance reads SSM itself) and passes as it is.
 *
 * @example
 * ```ts
 * const check = new PublishedChangeCheck({ redis: () => connection, keys: streamKeys(streamKey), ssm });
 * const [verdict] = await check.verify([{ change, streamId: "1700000000000-0" }]);
 * ```
 */
export class PublishedChangeCheck {
  public constructor(private readonly deps: PublishedChangeCheckDeps) {}

  /** One verdict per claimed change, in order. Never throws: a failed read is a refusal with its reason. */
  public async verify(claims: readonly ClaimedChange[]): Promise<PublishedVerdict[]> {
    const verdicts: (PublishedVerdict | undefined)[] = claims.map(({ change }) =>
      change.type === "SecureString" && change.operation !== "Delete" ? { published: true } : undefined,
    );
    const inStream = claims.flatMap((claim, index) =>
      verdicts[index] === undefined && claim.streamId
        ? [{ index, change: claim.change, streamId: claim.streamId }]
        : [],
    );
    if (inStream.length > 0) {
      const entries = await this.readEntries(inStream.map(({ streamId }) => streamId));
      inStream.forEach(({ index, change, streamId }, i) => {
        const entry = entries[i];
        if (entry === undefined) return; // gone (trimmed) or unreadable: SSM decides below
        verdicts[index] = sameChange(entry, change)
          ? { published: true }
          : { published: false, detail: `the stream entry ${streamId} holds another change` };
      });
    }
    await Promise.all(
      claims.map(async ({ change }, index) => {
        if (verdicts[index] === undefined) verdicts[index] = await this.inSsm(change);
      }),
    );
    return verdicts as PublishedVerdict[];
  }

  /** The entries of `ids` as parsed changes (undefined where absent, unreadable or Redis failed). */
  private async readEntries(ids: readonly string[]): Promise<(ParameterChange | undefined)[]> {
    try {
      const pipeline = this.deps.redis().pipeline();
      for (const id of ids) pipeline.xrange(this.deps.keys.stream, id, id);
      const replies = (await pipeline.exec()) ?? [];
      return ids.map((id, i) => {
        const [error, entries] = replies[i] ?? [null, []];
        const fields = !error && Array.isArray(entries) ? (entries as [string, string[]][])[0]?.[1] : undefined;
        if (!fields) return undefined;
        const parsed = parseStreamEntry(id, fields);
        return parsed.ok ? parsed.message : undefined;
      });
    } catch {
      return ids.map(() => undefined);
    }
  }

  /** What SSM holds at the change's version (a Delete: nothing under the name). */
  private async inSsm(change: ParameterChange): Promise<PublishedVerdict> {
    const refused = (detail: string): PublishedVerdict => ({ published: false, detail });
    try {
      if (change.operation === "Delete") {
        await this.deps.ssm.send(new GetParameterCommand({ Name: change.name }));
        return refused(`SSM still holds ${change.name}: the Delete was not published`);
      }
      const answer = await this.deps.ssm.send(new GetParameterCommand({ Name: `${change.name}:${change.version}` }));
      const held = answer.Parameter;
      const same =
        held?.Value === change.value &&
        held?.Type === change.type &&
        held?.LastModifiedDate?.getTime() === change.modifiedAt;
      const which = `${change.name}:${change.version}`;
      return same ? { published: true } : refused(`SSM's ${which} is not what the call carries`);
    } catch (error) {
      if ((error as Error).name === "ParameterNotFound" && change.operation === "Delete") return { published: true };
      if ((error as Error).name === "ParameterNotFound" || (error as Error).name === "ParameterVersionNotFound") {
        return refused(`neither the stream nor SSM holds ${change.name}:${change.version}`);
      }
      return refused(`cannot check ${change.name}:${change.version} against SSM: ${describeError(error)}`);
    }
  }
}

/** The fields that make a change what it is (the event time aside). */
function sameChange(entry: ParameterChange, claimed: ParameterChange): boolean {
  return SAME_FIELDS.every((field) => entry[field] === claimed[field]);
}
