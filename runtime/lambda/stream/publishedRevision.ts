import { CHANGE_OPERATIONS, PARAMETER_TYPES, type ChangeOperation, type ParameterType } from "../../protocol";

/**
 * The value of one field of the `published` hash (`streamKeys(key).published`): the last revision
 * of the name put on the stream. JSON, so `redis-cli HGET` shows it and the Lua script reads it:
 * `{"version":7,"modifiedAt":1764072000120,"operation":"Update","type":"String",`
 * `"publishedAt":1764072000480,"streamId":"1764072000480-0"}` (one line).
 *
 * It lives in Redis beside the stream, not in the function or another store: it is written in the
 * same script as the XADD (so "published" and "on the stream" can never disagree), and it
 * disappears with the stream when Redis is replaced or flushed, and then republishing the current
 * state is exactly what the recovering instances need.
 */
export interface PublishedRevision {
  version: number;
  /** epoch ms; for a Delete, after the last revision it removed. */
  modifiedAt: number;
  /** The fields below are informational: only `version` and `modifiedAt` are required to read a value. */
  operation?: ChangeOperation;
  type?: ParameterType;
  publishedAt?: number;
  /** Added by the script once the entry exists. */
  streamId?: string;
}

/** The hash value for a revision about to be published (the script appends `streamId`). */
export function formatPublishedRevision(revision: Required<Omit<PublishedRevision, "streamId">>): string {
  const { version, modifiedAt, operation, type, publishedAt } = revision;
  return JSON.stringify({ version, modifiedAt, operation, type, publishedAt });
}

/**
 * Reads a hash value; `{"version":7,"modifiedAt":1764072000120}` is enough (the Lua script reads
 * no more). A value without those two numbers (written by hand) counts as nothing held: the
 * current state is then published again, which instances treat as a no-op.
 */
export function parsePublishedRevision(raw: string | null | undefined): PublishedRevision | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const { version, modifiedAt, operation, type, publishedAt, streamId } = value;
    if (typeof version !== "number" || typeof modifiedAt !== "number") return undefined;
    return {
      version,
      modifiedAt,
      ...(CHANGE_OPERATIONS.includes(operation as ChangeOperation) ? { operation: operation as ChangeOperation } : {}),
      ...(PARAMETER_TYPES.includes(type as ParameterType) ? { type: type as ParameterType } : {}),
      ...(typeof publishedAt === "number" ? { publishedAt } : {}),
      ...(typeof streamId === "string" ? { streamId } : {}),
    };
  } catch {
    return undefined;
  }
}
