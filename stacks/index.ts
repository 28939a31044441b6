/**
 * The stack program of this repository: composes the components for the stack it runs as
 * (`beta`, `staging`, `production`), reading `app_config_<stack>.yaml` beside it. Per-stack
 * settings live in `Pulumi.<stack>.yaml`, not in code branches.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AppConfigParameters } from "../components";

const env = pulumi.getStack();
const config = new pulumi.Config();
const app = config.require("app");
const prefix = `/${app}/${env}/`;

const parameters = new AppConfigParameters(`${app}-${env}`, {
  file: path.join(__dirname, `app_config_${env}.yaml`),
  prefix,
});

export const parameterPrefix = prefix;
export const parameterNames = parameters.parameterNames;
export const adoptedParameterNames = parameters.adoptedNames;
