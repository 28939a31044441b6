export { Acknowledger, type AcknowledgerHooks } from "./acknowledger";
export { appliedAcks, bootAcks } from "./appliedAcks";
export {
  backoffDelay,
  createAckConnection,
  createRedisConnection,
  createStreamConnection,
  type ReconnectBackoff,
} from "./redisConnection";
export { streamCandidates } from "./streamCandidates";
export { compareStreamIds, isStreamId, STREAM_START_ID } from "./streamIds";
export {
  assessStreamPosition,
  positionAt,
  readPositionWithin,
  readStreamInfo,
  type PositionVerdict,
  type StreamInfo,
  type StreamPosition,
} from "./streamPosition";
export {
  StreamReader,
  type RawStreamEntry,
  type StreamReaderHooks,
  type StreamReaderOptions,
  type StreamResetReason,
} from "./streamReader";
