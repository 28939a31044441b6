/** The Redis stream host: ElastiCache replication group, subnet group, its users and their generated passwords. */
export { RedisStream, REDIS_STREAM_TYPE, type RedisStreamArgs } from "./redisStream";
export { createRedisPassword, AUTH_TOKEN_SPECIALS, AUTH_TOKEN_LENGTH, type RedisPassword } from "./authToken";
export { createRedisUsers, type RedisUsers } from "./redisUsers";
