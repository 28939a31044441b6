export { ClientCounters } from "./clientCounters";
export { ClientEvents, STDERR_LOGGER, describe } from "./clientEvents";
