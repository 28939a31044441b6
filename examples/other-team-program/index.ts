/**
 * How another team uses the package: its own Pulumi program, outside this repository's stacks,
 * imports the component by the package's name and composes it with its own settings, an existing
 * VPC and its existing API security group.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigRefreshPipeline } from "config-refresh-pipeline";

interface ExistingNetwork {
  vpcId: string;
  privateSubnetIds: string[];
  /** The API's own security group: admitted to the stream host beside the pipeline's service group. */
  apiSecurityGroupId: string;
}

const config = new pulumi.Config();
const network = config.requireObject<ExistingNetwork>("network");
const oncall = new aws.sns.Topic("payments-oncall");

const pipeline = new ConfigRefreshPipeline("payments", {
  app: "payments",
  appConfigFile: path.join(__dirname, `app_config_${pulumi.getStack()}.yaml`),
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  extraSecurityGroupIds: [network.apiSecurityGroupId],
  refreshPort: 7443,
  redis: { engine: "redis", engineVersion: "7.1", nodeType: "cache.t4g.small", replicas: 1, multiAz: true },
  stream: { maxLength: 50_000 },
  retry: { maximumEventAgeInSeconds: 900, maximumRetryAttempts: 10 },
  refreshFunction: { memorySize: 512, logRetentionDays: 14, rpcDeadlineMs: 1_500 },
  scopePattern: `/payments/${pulumi.getStack()}/tenants/{tenant}/`,
  alarmTopicArn: oncall.arn,
  namespaceName: "payments-qa",
  serviceName: "payments-api",
  tags: { team: "payments", "cost-center": "cc-42" },
});

/** What the payments API reads to configure the client. */
export const refresh = pipeline.stackOutputs();
