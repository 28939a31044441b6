export { ClientCounters, type Counter } from "./clientCounters";
export { ClientEvents, STDERR_LOGGER } from "./clientEvents";
export { countEvent, EVENT_COUNTERS } from "./eventCounters";
