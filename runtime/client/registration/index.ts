export { CloudMapRegistration, defaultInstanceAddress, RESERVED_ATTRIBUTE_PREFIX, type RegistrationTarget } from "./cloudMapRegistration";
