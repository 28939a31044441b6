export { ChangeListeners, selects, type ChangeListener, type KeySelector } from "./ChangeListeners";
export { DerivedValue, type DeriveOptions } from "./DerivedValue";
export { deriveValue } from "./deriveValue";
