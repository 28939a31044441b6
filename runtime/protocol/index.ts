/**
 * The contracts between the refresh Lambda and the instances: the Redis stream message (format v1)
 * and the `refresh.proto` RPC. One implementation of building and parsing, used by both sides.
 * See README.md beside this file.
 */
export * from "./types";
export * from "./revision";
export * from "./streamKeys";
export * from "./streamMessage";
export * from "./refreshService";
export * from "./refreshToken";
export * from "./refreshServer";
export * from "./ackMessage";
