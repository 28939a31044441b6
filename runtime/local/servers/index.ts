/** The servers the demo and the tests start, and how an AWS SDK client reaches the emulator. */
export { freePort } from "./freePort";
export { LocalRedisServer } from "./redisServer";
export { redisCommandCounts } from "./redisCommandStats";
export { LocalMotoServer } from "./motoServer";
export { emulatorClientConfig, LOCAL_AWS } from "../../operator/aws/emulatorDefaults";
export { MissingToolError, requireTool } from "./missingTool";
export { spawnServer, waitUntil, type ChildServer, type SpawnServerOptions } from "./childServer";
