export { ClientCounters } from "./clientCounters";
export { ClientEvents, STDERR_LOGGER } from "./clientEvents";
