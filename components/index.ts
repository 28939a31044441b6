/**
 * `config-refresh-pipeline`: the Pulumi components (everything a Pulumi program imports) and the
 * `app_config_<env>.yaml` loader. The runtime lives in `config-refresh-pipeline/client` and
 * `config-refresh-pipeline/lambda`, which load no Pulumi module.
 */
export * from "./appConfig";
export * from "./parameters";
export * from "./pipeline";
export * from "./serviceAccess";
export {
  parameterChangeEventPattern,
  PARAMETER_CHANGE_SOURCE,
  PARAMETER_CHANGE_DETAIL_TYPE,
  type ParameterChangeEventPattern,
} from "./changeEvents/eventPattern";
export { bundleRefreshHandler, type BundleOptions, type RefreshHandlerBundle } from "./refreshFunction/bundle";
