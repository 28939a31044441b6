/**
 * The local stand-in for Parameter Store's change events: writes and deletions followed by the real
 * event shape, sent to EventBridge. Local only (real EventBridge refuses `aws.*` sources from callers).
 */
export { ChangeEventRelay } from "./changeEventRelay";
export { parameterChangeEventEntry, type ParameterChangeNotice } from "./parameterChangeEvent";
export { writeParameter, deleteParameter, type WriteParameterOptions, type WrittenParameter } from "./writeParameter";
