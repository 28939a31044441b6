import { toError } from "../../common/errors";
import type { ChangeListeners, KeySelector } from "./ChangeListeners";
import { DerivedValue, type DeriveOptions } from "./DerivedValue";

/**
 * A {@link DerivedValue} built now from `snapshot` and rebuilt from each swap that changes one of
 * `keys`. A rebuild that throws keeps the old object; it and a failed close go to `onFailed`.
 * A first build that throws throws to the caller.
 */
export function deriveValue<Snapshot, T>(
  listeners: ChangeListeners<Snapshot>,
  snapshot: Snapshot,
  keys: KeySelector,
  build: (snapshot: Snapshot) => T,
  options: DeriveOptions<T>,
  onFailed: (error: Error) => void,
): DerivedValue<T> {
  const failed = (error: unknown): void => onFailed(toError(error));
  let detach: () => void = () => undefined;
  const derived = new DerivedValue(build(snapshot), options, failed, () => detach());
  detach = listeners.add(keys, (_changes, next) => {
    let value: T;
    try {
      value = build(next);
    } catch (error) {
      failed(error);
      return;
    }
    derived.replace(value);
  });
  return derived;
}
