export { loadParameters, toLoadedParameter, PARAMETERS_PAGE_SIZE, type LoadedParameter } from "./loadParameters";
export { fetchParameterVersion } from "./fetchParameter";
export { readSecureValues } from "./readSecureValues";
