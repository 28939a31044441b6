export { readRefreshInput, type RefreshInput } from "./readRefreshInput";
export {
  PARAMETER_STORE_CHANGE,
  parseParameterStoreChange,
  type ParameterStoreChange,
} from "./parameterStoreChangeEvent";
