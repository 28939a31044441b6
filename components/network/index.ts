/** Where the pipeline runs: the VPC (given or created) and the security groups between its parts. */
export { PipelineNetwork, PIPELINE_NETWORK_TYPE, type PipelineNetworkArgs } from "./pipelineNetwork";
export {
  PipelineSecurityGroups,
  PIPELINE_SECURITY_GROUPS_TYPE,
  type PipelineSecurityGroupsArgs,
} from "./securityGroups";
