/**
 * The stack program of this repository: composes the pipeline for the stack it runs as
 * (`beta`, `staging`, `production`), reading `app_config_<stack>.yaml` beside it. Per-stack
 * settings live in `Pulumi.<stack>.yaml`, not in code branches; the component validates them. The
 * network is the services' VPC unless the stack chooses `network: created-vpc` (see `stackNetwork`).
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigRefreshPipeline, type ConfigRefreshPipelineArgs } from "../components";
import { stackNetwork } from "./stackNetwork";

const env = pulumi.getStack();
const config = new pulumi.Config();
const app = config.require("app");
const alarmTopicName = config.get("alarmTopicName");

const pipeline = new ConfigRefreshPipeline(`${app}-${env}`, {
  app,
  env,
  appConfigFile: path.join(__dirname, `app_config_${env}.yaml`),
  ...stackNetwork(config, env),
  redis: config.getObject<ConfigRefreshPipelineArgs["redis"]>("redis"),
  stream: config.getObject<ConfigRefreshPipelineArgs["stream"]>("stream"),
  retry: config.getObject<ConfigRefreshPipelineArgs["retry"]>("retry"),
  // A value every instance refuses is written back to the last accepted one (and alarms).
  refreshFunction: {
    revertRefusedValues: true,
    ...config.getObject<ConfigRefreshPipelineArgs["refreshFunction"]>("refreshFunction"),
  },
  deadLetterRetentionDays: config.getNumber("deadLetterRetentionDays"),
  reconcileIntervalMinutes: config.getNumber("reconcileIntervalMinutes"),
  // Looked up by name: the config stays free of account ids, and a preview fails if the topic is missing.
  alarmTopicArn: alarmTopicName !== undefined ? aws.sns.getTopicOutput({ name: alarmTopicName }).arn : undefined,
  protectStatefulResources: config.getBoolean("protectStatefulResources"),
  tags: config.getObject<Record<string, string>>("tags"),
});

/** The stack's outputs: the pipeline's, declared once by the component (`ConfigRefreshPipelineOutputs`). */
export = pipeline.stackOutputs();
