export { parameterArn, type ParameterReadScope } from "./parameterScope";
