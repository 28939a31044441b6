/** The Redis stream host: ElastiCache replication group, subnet group and generated AUTH token. */
export { RedisStream, REDIS_STREAM_TYPE, type RedisStreamArgs } from "./redisStream";
export { createRedisAuthToken, AUTH_TOKEN_SPECIALS, AUTH_TOKEN_LENGTH, type RedisAuthToken } from "./authToken";
