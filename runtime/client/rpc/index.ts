export { createRefreshHandlers, toParameterResult, type RefreshHandlerDeps } from "./refreshHandlers";
export { parseWireChange } from "./wireChange";
