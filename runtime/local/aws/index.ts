/** How the local pipeline and the commands reach AWS (moto, LocalStack or a real account) and explain its errors. */
export { resolveAwsConnection, awsProcessEnvironment, type AwsTarget, type AwsConnection, type StaticCredentials } from "./awsConnection";
export { createAwsClients, awsClientConfig, type AwsClients, type AwsClientOptions } from "./awsClients";
export { explainAwsError, type AwsCallContext } from "./explainAwsError";
