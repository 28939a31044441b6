export { ChangeListeners, selects, type ChangeListener, type KeySelector } from "./changeListeners";
export { DerivedValue, type DeriveOptions } from "./derivedValue";
