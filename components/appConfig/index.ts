/**
 * The `app_config_<env>.yaml` format: load, validate, flatten. No Pulumi import, so the
 * components, the CLI and the local pipeline share one implementation.
 */
export {
  loadAppConfig,
  parseAppConfig,
  MAX_ENTRIES,
  MAX_FILE_BYTES,
  MAX_ALIAS_EXPANSIONS,
  REQUIRED_SECRETS_KEY,
} from "./loadAppConfig";
export { AppConfigError, formatProblem, type AppConfigProblem } from "./errors";
export { compareEnvironments, type EnvironmentDrift } from "./drift";
export {
  fullNameProblems,
  prefixProblems,
  MAX_NAME_LENGTH,
  MAX_HIERARCHY_LEVELS,
  MAX_STANDARD_VALUE_BYTES,
  MAX_ADVANCED_VALUE_BYTES,
} from "./ssmRules";
export { secretLikeWord } from "./secretNames";
export type * from "./types";
