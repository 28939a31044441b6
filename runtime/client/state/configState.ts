import type { ParameterType, Revision } from "../../protocol";
import type { ChangeVia } from "../types";

/** One parameter the instance holds. */
export interface HeldEntry {
  readonly name: string;
  readonly key: string;
  readonly type: ParameterType;
  /** The value as SSM stores it. */
  readonly raw: string;
  /** The value parsed by the key's schema (`raw` itself for a key without schema): what `get()` answers. */
  readonly value: unknown;
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
 * Everything the instance holds, live: a batch is decided against it without writing, then
 * written in one synchronous step (`commitChanges`), so a reader, which runs between two steps of
 * the event loop, sees the whole batch or none of it. Writing in place keeps a change's cost
 * independent of how many parameters are held.
 */
export interface ConfigState {
  /** Key → held parameter, with its raw and parsed values (what `raw()` and `get()` read). */
  readonly held: Map<string, HeldEntry>;
  /** Key → the value of a schema key SSM does not hold: its default (undefined when optional). */
  readonly absent: Map<string, unknown>;
  /** Key → revision of its deletion, so a late older change cannot resurrect it. */
  readonly tombstones: Map<string, SeenRevision>;
  /**
   * Key → newest revision the schema refused, so an older one cannot sneak in after it. Newer than
   * the held one, it means the key is held back (`ConfigStore.heldBack`).
   */
  readonly refused: Map<string, RefusedRevision>;
}

/** A state that holds nothing. */
export function emptyState(): ConfigState {
  return { held: new Map(), absent: new Map(), tombstones: new Map(), refused: new Map() };
}

/** The value of a key: its parsed value when held, else its schema's default; undefined when neither. */
export function currentValue(state: ConfigState, key: string): unknown {
  const entry = state.held.get(key);
  return entry === undefined ? state.absent.get(key) : entry.value;
}

/**
 * Key → value of everything `state` holds now, as a frozen record without prototype (so
 * `snapshot().constructor` is undefined, not Object's). Costs one pass over the keys.
 */
export function snapshotOf(state: ConfigState): Readonly<Record<string, unknown>> {
  const record = Object.create(null) as Record<string, unknown>;
  for (const entry of state.held.values()) record[entry.key] = entry.value;
  for (const [key, value] of state.absent) record[key] = value;
  return Object.freeze(record);
}

/** The revision of a held entry. */
export function revisionOf(entry: HeldEntry): Revision {
  return { version: entry.version, modifiedAt: entry.modifiedAt };
}
