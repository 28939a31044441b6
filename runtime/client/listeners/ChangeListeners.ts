import type { ConfigChange } from "../types";

/**
 * Called once per swap of the snapshot with the changes it is interested in, and the new snapshot.
 */
export type ChangeListener<Snapshot> = (changes: readonly ConfigChange[], snapshot: Snapshot) => void;

/**
 * Which keys a listener follows: an exact key (`log_level`), a prefix ending with `/`
 * (`features/`), or `*` for every key.
 */
export type KeySelector = string | readonly string[];

/** True when `key` is followed by `selector`. */
export function selects(selector: string, key: string): boolean {
  return selector === "*" || selector === key || (selector.endsWith("/") && key.startsWith(selector));
}

/** The change listeners of a client. */
export class ChangeListeners<Snapshot> {
  private readonly entries = new Set<{ selectors: readonly string[]; listener: ChangeListener<Snapshot> }>();

  /** Adds a listener; returns the function that removes it. */
  public add(selector: KeySelector, listener: ChangeListener<Snapshot>): () => void {
    const selectors: readonly string[] = typeof selector === "string" ? [selector] : [...selector];
    const entry = { selectors, listener };
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  /**
   * Calls every listener that follows one of `changes`; a listener that throws is reported, the
   * others still run. `snapshot` is asked for only when a listener follows a change.
   */
  public notify(
    changes: readonly ConfigChange[],
    snapshot: () => Snapshot,
    onError: (selector: string, error: unknown) => void,
  ): void {
    for (const { selectors, listener } of [...this.entries]) {
      const followed = changes.filter((change) => selectors.some((selector) => selects(selector, change.key)));
      if (followed.length === 0) continue;
      try {
        listener(followed, snapshot());
      } catch (error) {
        onError(selectors.join(","), error);
      }
    }
  }
}
