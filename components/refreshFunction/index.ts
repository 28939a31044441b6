/** The refresh Lambda: esbuild bundle of `runtime/lambda`, role and policy, log group, async failure destination. */
export { RefreshFunction, REFRESH_FUNCTION_TYPE, type RefreshFunctionArgs } from "./refreshFunction";
export {
  bundleRefreshHandler,
  locateRefreshHandler,
  DEFAULT_RUNTIME_DIR,
  HANDLER,
  HANDLER_FILE,
  PROTO_FILE,
  type BundleOptions,
  type RefreshHandlerBundle,
  type RefreshHandlerSources,
} from "./bundle";
export { refreshFunctionPolicy, VPC_ACCESS_ACTIONS, type RefreshFunctionPolicyScope } from "./policy";
