export { createRefreshHandlers, toParameterResult, type RefreshHandlerDeps } from "./refreshHandlers";
export { serveRefresh, type RefreshEndpointDeps } from "./serveRefresh";
export { parseWireChange } from "./wireChange";
