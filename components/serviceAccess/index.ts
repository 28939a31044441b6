export { serviceInstancePolicy, type ServiceInstancePolicyScope } from "./serviceInstancePolicy";
export {
  SERVICE_INSTANCE_ACCESS_TYPE,
  ServiceInstanceAccess,
  type ServiceInstanceAccessArgs,
} from "./serviceInstanceAccess";
