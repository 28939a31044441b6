/** Cloud Map namespace and service the instances register in, and the refresh-call token. */
export { ServiceRegistry, SERVICE_REGISTRY_TYPE, type ServiceRegistryArgs } from "./serviceRegistry";
export { createRefreshToken, REFRESH_TOKEN_LENGTH, type RefreshToken } from "./refreshToken";
