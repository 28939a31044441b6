import type { ParameterType, Revision } from "../../protocol";
import type { ChangeVia } from "../types";

/** One parameter the instance holds. */
export interface HeldEntry {
  readonly name: string;
  readonly key: string;
  readonly type: ParameterType;
  /** The value as SSM stores it. */
  readonly raw: string;
  readonly version: number;
  readonly modifiedAt: number;
  readonly appliedAt: number;
  readonly via: ChangeVia;
}

/**
 * A revision the instance recorded, and when (its clock): a full reload yields only to what it saw
 * since the load began.
 */
export interface SeenRevision extends Revision {
  readonly seenAt: number;
}

/** A revision the schema refused, and why (a sentence, never the value). */
export interface RefusedRevision extends SeenRevision {
  readonly detail: string;
}

/**
 * Everything the instance holds, immutable: a change builds a new state and the client swaps one
 * reference, so a reader sees the old state or the new one, never a mix.
 */
export interface ConfigState {
  /** Key → parsed value (frozen, no prototype): what `get()` and `snapshot()` hand out. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Key → the raw SSM string (frozen, no prototype): what `raw()` hands out. */
  readonly raws: Readonly<Record<string, string>>;
  /** Key → held parameter. */
  readonly held: ReadonlyMap<string, HeldEntry>;
  /** Key → revision of its deletion, so a late older change cannot resurrect it. */
  readonly tombstones: ReadonlyMap<string, SeenRevision>;
  /**
   * Key → newest revision the schema refused, so an older one cannot sneak in after it. Newer than
   * the held one, it means the key is held back (`ConfigStore.heldBack`).
   */
  readonly refused: ReadonlyMap<string, RefusedRevision>;
}

/** A frozen record without prototype (so `get("constructor")` is undefined, not Object's). */
export function frozenRecord<T>(entries: Iterable<readonly [string, T]>): Readonly<Record<string, T>> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return Object.freeze(record);
}

/** The revision of a held entry. */
export function revisionOf(entry: HeldEntry): Revision {
  return { version: entry.version, modifiedAt: entry.modifiedAt };
}
