export {
  forEachParameter,
  loadParameters,
  toLoadedParameter,
  PARAMETERS_PAGE_SIZE,
  type LoadedParameter,
} from "./loadParameters";
export { fetchParameterVersion } from "./fetchParameter";
export { readSecureValues } from "./readSecureValues";
export { lastValidVersions, type BootLoad, type HeldBackVersion } from "./lastValidVersions";
export { readParameterHistory, HISTORY_PAGE_SIZE } from "./readParameterHistory";
