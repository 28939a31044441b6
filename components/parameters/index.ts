export {
  AppConfigParameters,
  APP_CONFIG_PARAMETERS_TYPE,
  SEEDED_FIELDS,
  type AppConfigParametersArgs,
} from "./appConfigParameters";
export { readLiveParameters, type LiveParameters } from "./liveParameters";
