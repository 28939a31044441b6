/**
 * The local stand-in for "EventBridge invokes the refresh function": the real handler, built from
 * the function's environment variables, fed by the rule's queue with EventBridge/Lambda retry and
 * dead-letter semantics; and the replay of dead letters through the same handler.
 */
export { createLocalRefreshHandler, refreshFunctionEnvironment, type RefreshFunctionTarget } from "./localRefreshHandler";
export { QueueInvoker, type QueueInvokerOptions, type InvocationRecord } from "./queueInvoker";
export { replayDeadLetters, type ReplayOptions, type ReplayOutcome } from "./replayDeadLetters";
export { onFailureRecord, LOCAL_FUNCTION_ARN } from "./onFailureRecord";
export { sqsEventOf } from "./sqsEvent";
