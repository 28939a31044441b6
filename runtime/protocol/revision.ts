/** The part of a change that orders it against others for the same name. */
export interface Revision {
  version: number;
  modifiedAt: number;
}

/**
 * Orders two revisions of one parameter: negative when `a` is older than `b`, 0 when the same,
 * positive when newer. The order is (modifiedAt, version): within one life of a parameter both
 * grow together and the version breaks ties of the clock; after a delete SSM restarts at version 1,
 * and the later `modifiedAt` puts the re-created parameter after the deleted one. A Delete is
 * published with `modifiedAt` after the last revision it removes, so a late copy of an older
 * change can never resurrect a deleted parameter. The Lambda's Lua script applies the same order.
 */
export function compareRevisions(a: Revision, b: Revision): number {
  return a.modifiedAt !== b.modifiedAt ? a.modifiedAt - b.modifiedAt : a.version - b.version;
}

/** True when `candidate` is strictly newer than `held` (or nothing is held). */
export function isNewerRevision(candidate: Revision, held: Revision | undefined): boolean {
  return held === undefined || compareRevisions(candidate, held) > 0;
}
