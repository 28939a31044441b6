/** Starting and stopping the whole pipeline on one machine. */
export { startLocalPipeline, DEAD_LETTER_QUEUE_URL_VARIABLE } from "./startLocalPipeline";
export { readRefreshToken } from "./readRefreshToken";
