export {
  applyChanges,
  commitChanges,
  decideChanges,
  newestSeen,
  type CandidateChange,
  type ChangeResult,
  type DecidedBatch,
} from "./applyChanges";
export { BootLoader, type BootFallBack } from "./BootLoader";
export { ConfigRules, PARAMETER_PATH_PATTERN } from "./configRules";
export { currentValue, emptyState, revisionOf, snapshotOf, type ConfigState, type HeldEntry } from "./configState";
export { ConfigStore, type AppliedResult, type RefusedResult, type StoreOutcome } from "./ConfigStore";
