export { applyChanges, newestSeen, type AppliedBatch, type CandidateChange, type ChangeResult } from "./applyChanges";
export { bootState } from "./bootState";
export { ConfigRules, PARAMETER_PATH_PATTERN } from "./configRules";
export { frozenRecord, revisionOf, type ConfigState, type HeldEntry } from "./configState";
export { ConfigStore, type AppliedResult, type RefusedResult, type StoreOutcome } from "./ConfigStore";
