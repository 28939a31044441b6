/**
 * Parameter Store change events: the rule, its target, the dead-letter queue and its alarm.
 * `eventPattern.ts` has no Pulumi import: import that file directly from runtime code.
 */
export {
  parameterChangeEventPattern,
  PARAMETER_CHANGE_SOURCE,
  PARAMETER_CHANGE_DETAIL_TYPE,
  type ParameterChangeEventPattern,
} from "./eventPattern";
export {
  ParameterChangeEvents,
  PARAMETER_CHANGE_EVENTS_TYPE,
  type ParameterChangeEventsArgs,
} from "./parameterChangeEvents";
export {
  RefreshDeadLetterQueue,
  REFRESH_DEAD_LETTER_QUEUE_TYPE,
  type RefreshDeadLetterQueueArgs,
} from "./deadLetterQueue";
export { deadLetterQueuePolicy } from "./queuePolicy";
