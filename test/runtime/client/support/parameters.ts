import { randomUUID } from "node:crypto";
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { Redis } from "ioredis";
import {
  buildStreamFields,
  streamKeys,
  type ParameterChange,
  type ParameterType,
  type StreamMessage,
} from "../../../../runtime/protocol";

/**
 * Writes a parameter to SSM (moto) and returns the change the refresh Lambda would publish for it:
 * the version and LastModifiedDate SSM reports, the value unless it is a SecureString.
 */
export async function putParameter(
  ssm: SSMClient,
  name: string,
  value: string,
  type: ParameterType = "String",
): Promise<ParameterChange> {
  const put = await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }));
  const read = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
  const version = put.Version ?? 0;
  return {
    name,
    operation: version === 1 ? "Create" : "Update",
    version,
    type,
    ...(type === "SecureString" ? {} : { value }),
    modifiedAt: read.Parameter?.LastModifiedDate?.getTime() ?? Date.now(),
    changedAt: Date.now(),
  };
}

/** Deletes a parameter and returns the Delete change (modifiedAt after the revision it removes). */
export async function deleteParameter(ssm: SSMClient, held: ParameterChange): Promise<ParameterChange> {
  await ssm.send(new DeleteParameterCommand({ Name: held.name }));
  const { value: _value, ...rest } = held;
  return { ...rest, operation: "Delete", modifiedAt: Math.max(Date.now(), held.modifiedAt + 1), changedAt: Date.now() };
}

/** Writes every entry of a map under `path`; returns the changes by relative key. */
export async function putParameters(
  ssm: SSMClient,
  path: string,
  values: Record<string, string | [string, ParameterType]>,
): Promise<Record<string, ParameterChange>> {
  const changes: Record<string, ParameterChange> = {};
  for (const [key, spec] of Object.entries(values)) {
    const [value, type] = typeof spec === "string" ? [spec, "String" as const] : spec;
    changes[key] = await putParameter(ssm, path + key, value, type);
  }
  return changes;
}

/** A stream message for a change, published now. */
export function messageOf(change: ParameterChange, publishedAt = Date.now()): Omit<StreamMessage, "format"> {
  return { ...change, publishedAt };
}

/**
 * Publishes changes as the refresh Lambda's script does, atomically: XADD (MAXLEN ~) of every
 * change, HSET of the published revisions, SET epoch NX. Returns the entry ids.
 */
export async function publish(
  redis: Redis,
  streamKey: string,
  changes: readonly ParameterChange[],
  options: { epoch?: string; maxLength?: number } = {},
): Promise<string[]> {
  const keys = streamKeys(streamKey);
  const multi = redis.multi();
  for (const change of changes)
    multi.xadd(keys.stream, "MAXLEN", "~", options.maxLength ?? 10_000, "*", ...buildStreamFields(messageOf(change)));
  for (const change of changes)
    multi.hset(keys.published, change.name, JSON.stringify({ version: change.version, modifiedAt: change.modifiedAt }));
  multi.set(keys.epoch, options.epoch ?? randomUUID(), "NX");
  const replies = (await multi.exec()) ?? [];
  return replies.slice(0, changes.length).map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}
