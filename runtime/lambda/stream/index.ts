export { StreamPublisher, type StreamPublisherOptions, type PublishOutcome } from "./StreamPublisher";
export { createStreamRedis, type StreamRedisOptions } from "./createStreamRedis";
export { planChanges, type ChangedName, type ChangePlan, type PublishCandidate } from "./planChanges";
export { formatPublishedRevision, parsePublishedRevision, type PublishedRevision } from "./publishedRevision";
export { PUBLISH_SCRIPT, PUBLISH_COMMAND } from "./publishScript";
