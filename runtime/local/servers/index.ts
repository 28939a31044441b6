export { freePort } from "./freePort";
export { LocalRedisServer } from "./redisServer";
export { LocalMotoServer, emulatorClientConfig, LOCAL_AWS } from "./motoServer";
export { MissingToolError, requireTool } from "./missingTool";
export { spawnServer, waitUntil, type ChildServer, type SpawnServerOptions } from "./childServer";
