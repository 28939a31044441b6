export { Acknowledger, type AcknowledgerHooks } from "./acknowledger";
export { backoffDelay, createRedisConnection, type ReconnectBackoff } from "./redisConnection";
export { compareStreamIds, isStreamId, STREAM_START_ID } from "./streamIds";
export { assessStreamPosition, positionAt, readStreamInfo, type PositionVerdict, type StreamInfo, type StreamPosition } from "./streamPosition";
export { StreamReader, type RawStreamEntry, type StreamReaderHooks, type StreamReaderOptions, type StreamResetReason } from "./streamReader";
