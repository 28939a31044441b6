export { CloudMapRegistration, RESERVED_ATTRIBUTE_PREFIX, type RegistrationTarget } from "./cloudMapRegistration";
export { SYSTEM_HOST, type HostEnvironment } from "./hostEnvironment";
export { resolveInstanceAddress, type InstanceAddress } from "./instanceAddress";
export { planRefreshPort, readPipelineRefreshPort, type PipelineRefreshPort } from "./pipelineRefreshPort";
