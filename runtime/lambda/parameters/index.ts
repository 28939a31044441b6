export {
  fetchCurrentParameters,
  isParameterName,
  GET_PARAMETERS_BATCH_SIZE,
  type CurrentParameter,
  type CurrentParameters,
} from "./fetchCurrentParameters";
export { CachedSecureString, type CachedSecureStringOptions } from "./CachedSecureString";
