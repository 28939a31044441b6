import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { LAMBDA_ENVIRONMENT, readLambdaSettings } from "../../../runtime/lambda/environment";
import { functionAccessString, serviceAccessString } from "../../../runtime/protocol/redisAccess";
import { REPO_ROOT, runProgram, single, ofType, type ProgramRun } from "../../support/pulumi/runProgram";
import { CREATED_VPC_CONFIG } from "../../support/pulumi/stackNetworks";
import { childrenOf, inventory, isUnderSecret, partOf, pathsHolding, stateOf, typeOfUrn } from "./resourceGraph";

const NS = "config-refresh-pipeline";
const PIPELINE = `${NS}:index:ConfigRefreshPipeline`;
const PARAMETERS = `${NS}:parameters:AppConfigParameters`;
const NETWORK = `${NS}:network:PipelineNetwork`;
const GROUPS = `${NS}:network:PipelineSecurityGroups`;
const REDIS = `${NS}:redisStream:RedisStream`;
const REGISTRY = `${NS}:serviceRegistry:ServiceRegistry`;
const DLQ = `${NS}:changeEvents:RefreshDeadLetterQueue`;
const FUNCTION = `${NS}:refreshFunction:RefreshFunction`;
const EVENTS = `${NS}:changeEvents:ParameterChangeEvents`;
const RECONCILE = `${NS}:reconcileSchedule:ReconcileSchedule`;
const ACCESS = `${NS}:serviceAccess:ServiceInstanceAccess`;

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

/**
 * What each stack's `Pulumi.<stack>.yaml` should give, stated independently of the yaml. These runs
 * take the created VPC (`network: created-vpc`, for trying it out); `realAccount.test.ts` runs the
 * services' VPC, the real-account path.
 */
const EXPECTED = {
  beta: {
    zones: 2,
    nat: "Single",
    nodeType: "cache.t4g.micro",
    cacheClusters: 1,
    failover: false,
    multiAz: false,
    alarmActions: [] as string[],
    logRetentionDays: 7,
    dlqDays: 4,
    protect: false,
  },
  staging: {
    zones: 2,
    nat: "Single",
    nodeType: "cache.t4g.small",
    cacheClusters: 2,
    failover: true,
    multiAz: true,
    alarmActions: [] as string[],
    logRetentionDays: 30,
    dlqDays: 14,
    protect: false,
  },
  production: {
    zones: 3,
    nat: "OnePerAz",
    nodeType: "cache.m7g.large",
    cacheClusters: 3,
    failover: true,
    multiAz: true,
    alarmActions: [`arn:aws:sns:${REGION}:${ACCOUNT}:shop-production-oncall`],
    logRetentionDays: 90,
    dlqDays: 14,
    protect: true,
  },
} as const;
type Stack = keyof typeof EXPECTED;
const STACKS = Object.keys(EXPECTED) as Stack[];

/**
 * Actions the function's role may grant on `Resource: "*"`, each because AWS offers nothing
 * narrower: the ENI calls of a VPC function, and Cloud Map discovery (scoped by condition keys).
 */
const STAR_RESOURCE_ALLOWED = new Set([
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "servicediscovery:DiscoverInstances",
]);

/** The stack outputs a service team reads to configure the client. */
const CLIENT_OUTPUTS = [
  "parameterPrefix",
  "parameterNames",
  "adoptedParameterNames",
  "streamKey",
  "redisEndpoint",
  "redisPort",
  "redisAuthTokenParameterName",
  "redisServiceUserName",
  "redisServicePasswordParameterName",
  "namespaceId",
  "namespaceName",
  "serviceId",
  "serviceName",
  "refreshTokenParameterName",
  "refreshPort",
  "serviceSecurityGroupId",
  "serviceInstancePolicyArn",
  "deadLetterQueueUrl",
  "deadLetterQueueArn",
  "functionName",
  "functionArn",
  "ruleArn",
];

/** The output names the README's "Stack outputs" table lists, in its order. */
function readmeOutputNames(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Stack outputs"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| output |")));
  return [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
const policyOf = (text: unknown): Statement[] => (JSON.parse(String(text)) as { Statement: Statement[] }).Statement;

/** The secrets every stack's app_config file requires, as already present in the account. */
const requiredSecrets = (stack: string): Record<string, string> => ({
  [`/shop/${stack}/database/password`]: "SecureString",
  [`/shop/${stack}/payments/api_key`]: "SecureString",
});

describe("the stack program with ConfigRefreshPipeline", function () {
  this.timeout(120_000);
  const runs = {} as Record<Stack, ProgramRun>;
  let conflicting: ProgramRun;

  before(async () => {
    await Promise.all([
      ...STACKS.map(async (stack) => {
        runs[stack] = await runProgram({
          stack,
          configOverrides: CREATED_VPC_CONFIG,
          account: { parameters: requiredSecrets(stack) },
        });
      }),
      (async () => {
        conflicting = await runProgram({
          stack: "beta",
          account: { parameters: requiredSecrets("beta") },
          configOverrides: {
            ...CREATED_VPC_CONFIG,
            "config-refresh-pipeline:redis": JSON.stringify({ multiAz: true, replicas: 0 }),
          },
        });
      })(),
    ]);
  });

  for (const stack of STACKS) {
    describe(`the ${stack} stack`, () => {
      const expected = EXPECTED[stack];
      const prefix = `/shop/${stack}/`;
      const run = (): ProgramRun => runs[stack];
      const fn = () => partOf(run(), FUNCTION, "aws:lambda/function:Function");
      const queue = () => partOf(run(), DLQ, "aws:sqs/queue:Queue");
      const rule = () => partOf(run(), EVENTS, "aws:cloudwatch/eventRule:EventRule");
      const replicationGroup = () => partOf(run(), REDIS, "aws:elasticache/replicationGroup:ReplicationGroup");
      const group = (suffix: string) =>
        partOf(run(), GROUPS, "aws:ec2/securityGroup:SecurityGroup", `shop-${stack}-${suffix}`);
      const env = () => (fn().inputs.environment as { variables: Record<string, string> }).variables;
      const redisUser = (role: string) =>
        partOf(run(), REDIS, "aws:elasticache/user:User", `shop-${stack}-redis-${role}`);
      const redisPasswordParameter = (role: string) =>
        partOf(run(), REDIS, "aws:ssm/parameter:Parameter", `shop-${stack}-redis-${role}-password`);

      describe("resource graph", () => {
        it("declares everything without an error", () => {
          assert.deepEqual(run().errors, []);
        });

        it("parents every part to the one pipeline component", () => {
          const pipeline = single(run(), PIPELINE);
          assert.equal(pipeline.name, `shop-${stack}`);
          assert.deepEqual(
            childrenOf(run(), PIPELINE)
              .map((r) => r.type)
              .sort(),
            [ACCESS, DLQ, EVENTS, GROUPS, NETWORK, PARAMETERS, FUNCTION, REDIS, REGISTRY, RECONCILE].sort(),
          );
        });

        it("puts each resource under the part it belongs to", () => {
          assert.deepEqual(inventory(run(), NETWORK), ["awsx:ec2:Vpc × 1"]);
          assert.deepEqual(inventory(run(), GROUPS), [
            "aws:ec2/securityGroup:SecurityGroup × 3",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule × 5",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule × 3",
          ]);
          assert.deepEqual(inventory(run(), REDIS), [
            "aws:elasticache/replicationGroup:ReplicationGroup × 1",
            "aws:elasticache/subnetGroup:SubnetGroup × 1",
            "aws:elasticache/user:User × 3",
            "aws:elasticache/userGroup:UserGroup × 1",
            "aws:ssm/parameter:Parameter × 2",
            "random:index/randomPassword:RandomPassword × 3",
          ]);
          assert.deepEqual(inventory(run(), REGISTRY), [
            "aws:servicediscovery/httpNamespace:HttpNamespace × 1",
            "aws:servicediscovery/service:Service × 1",
            "aws:ssm/parameter:Parameter × 1",
            "random:index/randomPassword:RandomPassword × 1",
          ]);
          assert.deepEqual(inventory(run(), ACCESS), ["aws:iam/policy:Policy × 1"]);
          assert.deepEqual(inventory(run(), DLQ), [
            "aws:cloudwatch/metricAlarm:MetricAlarm × 1",
            "aws:sqs/queue:Queue × 1",
          ]);
          assert.deepEqual(inventory(run(), FUNCTION), [
            "aws:cloudwatch/logGroup:LogGroup × 1",
            "aws:cloudwatch/metricAlarm:MetricAlarm × 2", // errors, and reverts (on in these stacks)
            "aws:iam/role:Role × 1",
            "aws:iam/rolePolicy:RolePolicy × 1",
            "aws:lambda/function:Function × 1",
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig × 1",
          ]);
          assert.deepEqual(inventory(run(), EVENTS), [
            "aws:cloudwatch/eventRule:EventRule × 1",
            "aws:cloudwatch/eventTarget:EventTarget × 1",
            "aws:lambda/permission:Permission × 1",
            "aws:sqs/queuePolicy:QueuePolicy × 1",
          ]);
          assert.deepEqual(inventory(run(), RECONCILE), [
            "aws:cloudwatch/eventRule:EventRule × 1",
            "aws:cloudwatch/eventTarget:EventTarget × 1",
            "aws:cloudwatch/metricAlarm:MetricAlarm × 1",
            "aws:lambda/permission:Permission × 1",
          ]);
        });

        it("declares the app_config parameters under the pipeline, with the file's names", () => {
          const declared = childrenOf(run(), PARAMETERS).map((r) => r.inputs.name);
          assert.deepEqual(declared.sort(), [...(run().outputs.parameterNames as string[])].sort());
          assert.ok(declared.length > 0);
          assert.ok(declared.every((name) => String(name).startsWith(prefix)));
        });

        it("looks the account, region and partition up instead of hard-coding ARNs", () => {
          const tokens = new Set(run().invokes.map((i) => i.token));
          for (const token of [
            "aws:index/getCallerIdentity:getCallerIdentity",
            "aws:index/getRegion:getRegion",
            "aws:index/getPartition:getPartition",
          ]) {
            assert.ok(tokens.has(token), `${token} was not invoked`);
          }
        });
      });

      describe("change events", () => {
        it("matches Parameter Store changes under the stack's prefix only, trailing slash included", () => {
          assert.deepEqual(JSON.parse(String(rule().inputs.eventPattern)), {
            source: ["aws.ssm"],
            "detail-type": ["Parameter Store Change"],
            detail: { name: [{ prefix }] },
          });
        });

        it("targets the refresh function with a retry policy and the dead-letter queue", () => {
          const target = partOf(run(), EVENTS, "aws:cloudwatch/eventTarget:EventTarget");
          assert.equal(target.inputs.rule, stateOf(rule()).name);
          assert.equal(target.inputs.arn, stateOf(fn()).arn);
          assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 24 });
          assert.deepEqual(target.inputs.deadLetterConfig, { arn: stateOf(queue()).arn });
        });

        it("lets only this rule invoke the function", () => {
          const permission = partOf(run(), EVENTS, "aws:lambda/permission:Permission");
          assert.equal(permission.inputs.action, "lambda:InvokeFunction");
          assert.equal(permission.inputs.principal, "events.amazonaws.com");
          assert.equal(permission.inputs.sourceArn, stateOf(rule()).arn);
          assert.equal(permission.inputs.function, stateOf(fn()).name);
        });

        it("lets only this rule send dead letters: the queue policy's condition is the rule's ARN", () => {
          const policy = partOf(run(), EVENTS, "aws:sqs/queuePolicy:QueuePolicy");
          assert.equal(policy.inputs.queueUrl, stateOf(queue()).url);
          const allows = policyOf(policy.inputs.policy).filter((s) => s.Effect === "Allow");
          assert.equal(allows.length, 1);
          assert.deepEqual(allows[0]!.Principal, { Service: "events.amazonaws.com" });
          assert.deepEqual(list(allows[0]!.Action), ["sqs:SendMessage"]);
          assert.deepEqual(list(allows[0]!.Resource), [stateOf(queue()).arn]);
          assert.deepEqual(allows[0]!.Condition, { ArnEquals: { "aws:SourceArn": stateOf(rule()).arn } });
        });

        it("sends the function's failed asynchronous invocations to the same dead-letter queue", () => {
          const config = partOf(run(), FUNCTION, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
          assert.equal(config.inputs.functionName, stateOf(fn()).name);
          assert.deepEqual(config.inputs.destinationConfig, { onFailure: { destination: stateOf(queue()).arn } });
          assert.equal(config.inputs.maximumRetryAttempts, 2);
          assert.equal(config.inputs.maximumEventAgeInSeconds, 3600);
        });

        it("alarms as soon as the dead-letter queue holds one message", () => {
          const alarm = partOf(run(), DLQ, "aws:cloudwatch/metricAlarm:MetricAlarm");
          assert.equal(alarm.inputs.namespace, "AWS/SQS");
          assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
          assert.deepEqual(alarm.inputs.dimensions, { QueueName: stateOf(queue()).name });
          assert.equal(alarm.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
          assert.equal(alarm.inputs.threshold, 1);
          assert.deepEqual(alarm.inputs.alarmActions ?? [], expected.alarmActions);
          assert.deepEqual(alarm.inputs.okActions ?? [], expected.alarmActions);
        });

        it(`keeps dead letters ${expected.dlqDays} days in an encrypted queue`, () => {
          assert.equal(queue().inputs.sqsManagedSseEnabled, true);
          assert.equal(queue().inputs.messageRetentionSeconds, expected.dlqDays * 86_400);
        });
      });

      describe("refresh function", () => {
        it("runs the bundled handler on Node.js 20 or newer, with refresh.proto beside it", () => {
          const inputs = fn().inputs;
          assert.match(String(inputs.runtime), /^nodejs(2[0-9])\.x$/);
          assert.equal(inputs.handler, "index.handler");
          const assets = (inputs.code as { assets: Record<string, { text: string }> }).assets;
          assert.deepEqual(Object.keys(assets).sort(), ["index.js", "refresh.proto"]);
          assert.match(assets["index.js"]!.text, /handler/);
          assert.match(assets["refresh.proto"]!.text, /service\s+\w+/);
        });

        it("sets every setting the handler reads, and the runtime's own validation accepts them", () => {
          const variables = env();
          // Optional by design: an emulator endpoint, a tenant scope, TLS to the instances (a team's own certificate).
          const optional = new Set(["awsEndpoint", "scopePattern", "rpcTlsCa", "rpcTlsServerName"]);
          const required = Object.entries(LAMBDA_ENVIRONMENT).filter(([setting]) => !optional.has(setting));
          for (const [setting, variable] of required)
            assert.ok(variables[variable], `${variable} (${setting}) is not set`);
          assert.equal(
            variables[LAMBDA_ENVIRONMENT.awsEndpoint],
            undefined,
            "a deployed function must not point at an emulator",
          );
          const settings = readLambdaSettings(variables);
          assert.equal(settings.parameterPrefix, prefix);
          assert.equal(settings.redisUrl, `rediss://${stateOf(replicationGroup()).primaryEndpointAddress}:6379`);
          assert.equal(settings.streamKey, `config-refresh:{${prefix}}`);
          assert.equal(
            settings.namespaceName,
            stateOf(partOf(run(), REGISTRY, "aws:servicediscovery/httpNamespace:HttpNamespace")).httpName,
          );
          assert.equal(
            settings.serviceName,
            partOf(run(), REGISTRY, "aws:servicediscovery/service:Service").inputs.name,
          );
          assert.equal(settings.serviceId, partOf(run(), REGISTRY, "aws:servicediscovery/service:Service").id);
          assert.equal(settings.redisAuthTokenParameter, `/config-refresh/shop/${stack}/redis-auth-token`);
          assert.equal(settings.refreshTokenParameter, `/config-refresh/shop/${stack}/refresh-token`);
        });

        it("runs in the private subnets behind its own security group", () => {
          const vpc = partOf(run(), NETWORK, "awsx:ec2:Vpc");
          assert.deepEqual(fn().inputs.vpcConfig, {
            subnetIds: stateOf(vpc).privateSubnetIds,
            securityGroupIds: [group("function").id],
          });
        });

        it("alarms within five minutes of its first error, long before a failing change reaches the dead-letter queue", () => {
          const alarm = partOf(
            run(),
            FUNCTION,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            `shop-${stack}-refresh-errors`,
          );
          assert.deepEqual(
            [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.statistic],
            ["AWS/Lambda", "Errors", "Sum"],
          );
          assert.deepEqual(alarm.inputs.dimensions, { FunctionName: stateOf(fn()).name });
          assert.deepEqual(
            [alarm.inputs.comparisonOperator, alarm.inputs.threshold],
            ["GreaterThanOrEqualToThreshold", 1],
          );
          assert.ok(Number(alarm.inputs.period) * Number(alarm.inputs.evaluationPeriods) <= 300);
          assert.equal(alarm.inputs.treatMissingData, "notBreaching");
          assert.deepEqual(alarm.inputs.alarmActions ?? [], expected.alarmActions);
          assert.deepEqual(alarm.inputs.okActions ?? [], expected.alarmActions);
          assert.equal(run().outputs.functionErrorAlarmArn, stateOf(alarm).arn);
        });

        it(`logs to its own log group, kept ${expected.logRetentionDays} days`, () => {
          const logGroup = partOf(run(), FUNCTION, "aws:cloudwatch/logGroup:LogGroup");
          assert.equal(logGroup.inputs.retentionInDays, expected.logRetentionDays);
          assert.equal((fn().inputs.loggingConfig as { logGroup: string }).logGroup, logGroup.inputs.name);
        });

        it("is created after its permissions, so the first invocation can attach to the VPC and log", () => {
          const policy = partOf(run(), FUNCTION, "aws:iam/rolePolicy:RolePolicy");
          assert.ok(fn().dependencies.includes(policy.urn!), "the function does not depend on its role policy");
        });

        it("may be assumed by Lambda only", () => {
          const role = partOf(run(), FUNCTION, "aws:iam/role:Role");
          const [trust, ...others] = policyOf(role.inputs.assumeRolePolicy);
          assert.deepEqual(others, []);
          assert.deepEqual(trust!.Principal, { Service: "lambda.amazonaws.com" });
          assert.deepEqual(list(trust!.Action), ["sts:AssumeRole"]);
        });
      });

      describe("IAM of the refresh function", () => {
        const statements = () => policyOf(partOf(run(), FUNCTION, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
        const statementFor = (action: string): Statement => {
          const found = statements().filter((s) => list(s.Action).includes(action));
          assert.equal(found.length, 1, `expected one statement granting ${action}`);
          return found[0]!;
        };

        it("grants no wildcard action and only allows", () => {
          for (const s of statements()) {
            assert.equal(s.Effect, "Allow");
            for (const action of list(s.Action)) assert.doesNotMatch(action, /\*/, `wildcard action ${action}`);
          }
        });

        it("grants a * resource only for the actions AWS offers nothing narrower for", () => {
          for (const s of statements()) {
            if (!list(s.Resource).includes("*")) continue;
            assert.deepEqual(list(s.Resource), ["*"]);
            for (const action of list(s.Action))
              assert.ok(STAR_RESOURCE_ALLOWED.has(action), `${action} is granted on *`);
          }
        });

        it("reads the parameters under the prefix and the two token parameters, nothing else in SSM", () => {
          const ssm = statementFor("ssm:GetParameter");
          assert.deepEqual(list(ssm.Action).sort(), ["ssm:GetParameter", "ssm:GetParameters"]);
          const redisPassword = redisPasswordParameter("fn");
          const refreshToken = partOf(run(), REGISTRY, "aws:ssm/parameter:Parameter");
          assert.deepEqual(
            list(ssm.Resource).sort(),
            [
              `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${prefix}*`,
              stateOf(redisPassword).arn,
              stateOf(refreshToken).arn,
            ].sort(),
          );
          const anySsm = statements().filter(
            (s) => list(s.Action).some((a) => a.startsWith("ssm:")) && s.Sid !== "RevertRefusedValues",
          );
          // Besides it, only the reconciler's sweep of the prefix's own path.
          const others = anySsm.filter((s) => !list(s.Action).includes("ssm:GetParameter"));
          assert.equal(anySsm.length - others.length, 1);
          assert.deepEqual(
            others.map((s) => [list(s.Action), list(s.Resource)]),
            [
              [
                ["ssm:GetParametersByPath"],
                [
                  `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${prefix.replace(/\/$/, "")}`,
                  `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${prefix}`,
                ],
              ],
            ],
          );
        });

        it("reverts refused values (on in this repo's stacks): history and writes on the prefix only, and an alarm on it", () => {
          const revert = statementFor("ssm:PutParameter");
          assert.deepEqual(list(revert.Action).sort(), ["ssm:GetParameterHistory", "ssm:PutParameter"]);
          assert.deepEqual(list(revert.Resource), [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${prefix}*`]);
          const alarm = partOf(
            run(),
            FUNCTION,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            `shop-${stack}-refresh-reverts`,
          );
          assert.deepEqual(
            [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.statistic],
            ["ConfigRefresh", "Reverts", "Sum"],
          );
          assert.deepEqual(alarm.inputs.alarmActions ?? [], expected.alarmActions);
          assert.equal(readLambdaSettings(env()).revertRefused, true);
        });

        it("names its logs' and metrics' service after the pipeline, the dimension its own alarms watch (never another pipeline's)", () => {
          const service = env().POWERTOOLS_SERVICE_NAME;
          assert.equal(service, `config-refresh/shop/${stack}`);
          const reverts = partOf(
            run(),
            FUNCTION,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            `shop-${stack}-refresh-reverts`,
          );
          const reconciled = partOf(run(), RECONCILE, "aws:cloudwatch/metricAlarm:MetricAlarm");
          assert.deepEqual([reverts.inputs.dimensions, reconciled.inputs.dimensions], [{ service }, { service }]);
        });

        it("discovers instances only in its own namespace and service, by condition keys", () => {
          const discover = statementFor("servicediscovery:DiscoverInstances");
          assert.deepEqual(list(discover.Action), ["servicediscovery:DiscoverInstances"]);
          assert.deepEqual(discover.Condition, {
            StringEquals: {
              "servicediscovery:NamespaceName": `config-refresh-shop-${stack}`,
              "servicediscovery:ServiceName": "shop",
            },
          });
        });

        it("deregisters instances of its own Cloud Map service only (stale registrations)", () => {
          const deregister = statementFor("servicediscovery:DeregisterInstance");
          assert.deepEqual(list(deregister.Action), ["servicediscovery:DeregisterInstance"]);
          assert.deepEqual(list(deregister.Resource), [
            stateOf(partOf(run(), REGISTRY, "aws:servicediscovery/service:Service")).arn,
          ]);
        });

        it("sends only to its dead-letter queue and writes only to its own log group", () => {
          assert.deepEqual(list(statementFor("sqs:SendMessage").Resource), [stateOf(queue()).arn]);
          const logGroupArn = stateOf(partOf(run(), FUNCTION, "aws:cloudwatch/logGroup:LogGroup")).arn;
          const logs = statementFor("logs:PutLogEvents");
          assert.deepEqual(list(logs.Action).sort(), ["logs:CreateLogStream", "logs:PutLogEvents"]);
          assert.deepEqual(list(logs.Resource), [`${logGroupArn}:*`]);
        });
      });

      describe("IAM of the service instances", () => {
        const policy = () => partOf(run(), ACCESS, "aws:iam/policy:Policy");
        const statements = () => policyOf(policy().inputs.policy);
        const actions = () =>
          statements()
            .flatMap((s) => list(s.Action))
            .sort();

        it("allows exactly what the client calls, on named resources only", () => {
          assert.deepEqual(actions(), [
            "servicediscovery:DeregisterInstance",
            "servicediscovery:RegisterInstance",
            "servicediscovery:UpdateInstanceCustomHealthStatus",
            "ssm:GetParameter",
            "ssm:GetParameterHistory",
            "ssm:GetParameters",
            "ssm:GetParametersByPath",
          ]);
          for (const s of statements()) {
            assert.equal(s.Effect, "Allow");
            assert.equal(s.Condition, undefined);
            for (const resource of list(s.Resource))
              assert.notEqual(resource, "*", `${list(s.Action).join(", ")} on *`);
          }
        });

        it("loads by path on the prefix, reads under it and the two tokens, and registers in its own Cloud Map service", () => {
          const statementFor = (action: string): Statement =>
            statements().find((s) => list(s.Action).includes(action))!;
          const arn = (path: string): string => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${path}`;
          assert.deepEqual(
            list(statementFor("ssm:GetParametersByPath").Resource).sort(),
            [arn(prefix.slice(0, -1)), arn(prefix)].sort(),
          );
          assert.deepEqual(
            list(statementFor("ssm:GetParameter").Resource).sort(),
            [
              arn(`${prefix}*`),
              stateOf(redisPasswordParameter("svc")).arn,
              stateOf(partOf(run(), REGISTRY, "aws:ssm/parameter:Parameter")).arn,
            ].sort(),
          );
          assert.deepEqual(list(statementFor("ssm:GetParameterHistory").Resource), [arn(`${prefix}*`)]);
          const service = partOf(run(), REGISTRY, "aws:servicediscovery/service:Service");
          assert.deepEqual(list(statementFor("servicediscovery:RegisterInstance").Resource), [stateOf(service).arn]);
        });

        it("is exported as the ARN a service attaches to its task role", () => {
          assert.equal(
            run().outputs.serviceInstancePolicyArn,
            `arn:aws:iam::${ACCOUNT}:policy/shop-${stack}-service-instance`,
          );
          assert.equal(stateOf(policy()).arn, run().outputs.serviceInstancePolicyArn);
        });
      });

      describe("Redis stream host", () => {
        it("encrypts in transit (required) and at rest, behind its users (role-based access control, no AUTH token)", () => {
          const inputs = replicationGroup().inputs;
          assert.equal(inputs.transitEncryptionEnabled, true);
          assert.equal(inputs.transitEncryptionMode, "required");
          assert.equal(inputs.atRestEncryptionEnabled, true);
          assert.equal(inputs.authToken, undefined);
          assert.deepEqual(inputs.userGroupIds, [
            stateOf(partOf(run(), REDIS, "aws:elasticache/userGroup:UserGroup")).userGroupId,
          ]);
        });

        it('generates passwords ElastiCache accepts: 16–128 characters, no / " @ or space', () => {
          for (const password of childrenOf(run(), REDIS).filter(
            (r) => r.type === "random:index/randomPassword:RandomPassword",
          )) {
            const length = Number(password.inputs.length);
            assert.ok(length >= 16 && length <= 128, `length ${length}`);
            assert.doesNotMatch(String(password.inputs.overrideSpecial), /[/"@ ]/);
          }
        });

        it("gives the function and the services their own users, with the access strings of runtime/protocol/redisAccess.ts", () => {
          const streamKey = `config-refresh:{${prefix}}`;
          const fnUser = redisUser("fn");
          const svcUser = redisUser("svc");
          assert.equal(fnUser.inputs.userName, "config-refresh-function");
          assert.equal(fnUser.inputs.accessString, functionAccessString(streamKey));
          assert.equal(svcUser.inputs.userName, "config-refresh-service");
          assert.equal(svcUser.inputs.accessString, serviceAccessString(streamKey));
          for (const user of [fnUser, svcUser, redisUser("default")]) {
            assert.equal(user.inputs.engine, replicationGroup().inputs.engine);
            assert.match(String(user.inputs.userId), /^[a-z][a-z0-9-]*$/);
            const mode = user.inputs.authenticationMode as { type: string; passwords: string[] };
            assert.equal(mode.type, "password");
            assert.equal(mode.passwords.length, 1);
            assert.ok(
              user.secretInputs.some((path) => path.startsWith("authenticationMode")),
              `${user.name} password in plain`,
            );
          }
        });

        it("puts the mandatory default user in the group turned off with no command, beside the two users", () => {
          const off = redisUser("default");
          assert.equal(off.inputs.userName, "default");
          assert.equal(off.inputs.accessString, "off -@all");
          const group = partOf(run(), REDIS, "aws:elasticache/userGroup:UserGroup");
          assert.equal(group.inputs.engine, replicationGroup().inputs.engine);
          assert.deepEqual(
            group.inputs.userIds,
            [off, redisUser("fn"), redisUser("svc")].map((u) => stateOf(u).userId),
          );
        });

        it("gives each user's password to its SecureString: the function's and the services'", () => {
          assert.equal(redisPasswordParameter("fn").inputs.name, `/config-refresh/shop/${stack}/redis-auth-token`);
          assert.equal(
            redisPasswordParameter("svc").inputs.name,
            `/config-refresh/shop/${stack}/redis-service-password`,
          );
          for (const role of ["fn", "svc"]) {
            const password = partOf(
              run(),
              REDIS,
              "random:index/randomPassword:RandomPassword",
              `shop-${stack}-redis-${role}-password`,
            );
            const mode = redisUser(role).inputs.authenticationMode as { passwords: string[] };
            assert.equal(mode.passwords[0], stateOf(password).result);
            assert.equal(redisPasswordParameter(role).inputs.value, stateOf(password).result);
          }
          assert.equal(env().CONFIG_REFRESH_REDIS_USER, "config-refresh-function");
          assert.equal(
            env().CONFIG_REFRESH_REDIS_AUTH_TOKEN_PARAMETER,
            `/config-refresh/shop/${stack}/redis-auth-token`,
          );
          assert.equal(run().outputs.redisServiceUserName, "config-refresh-service");
          assert.equal(
            run().outputs.redisServicePasswordParameterName,
            `/config-refresh/shop/${stack}/redis-service-password`,
          );
        });

        it(`runs ${expected.nodeType} with ${expected.cacheClusters} node(s), failover ${expected.failover}, multi-AZ ${expected.multiAz}`, () => {
          const inputs = replicationGroup().inputs;
          assert.equal(inputs.nodeType, expected.nodeType);
          assert.equal(inputs.numCacheClusters, expected.cacheClusters);
          assert.equal(inputs.automaticFailoverEnabled, expected.failover);
          assert.equal(inputs.multiAzEnabled, expected.multiAz);
          assert.match(String(inputs.engine), /^(valkey|redis)$/);
          assert.ok(Number.parseFloat(String(inputs.engineVersion)) >= 7);
        });

        it("lives in the private subnets behind its own security group", () => {
          const subnetGroup = partOf(run(), REDIS, "aws:elasticache/subnetGroup:SubnetGroup");
          assert.deepEqual(
            subnetGroup.inputs.subnetIds,
            stateOf(partOf(run(), NETWORK, "awsx:ec2:Vpc")).privateSubnetIds,
          );
          assert.equal(replicationGroup().inputs.subnetGroupName, stateOf(subnetGroup).name);
          assert.deepEqual(replicationGroup().inputs.securityGroupIds, [group("redis").id]);
        });
      });

      describe("service registry", () => {
        it("registers instances in a Cloud Map service whose custom health check the provider creates: failureThreshold 1", () => {
          const service = partOf(run(), REGISTRY, "aws:servicediscovery/service:Service");
          assert.equal(service.inputs.type, "HTTP");
          assert.deepEqual(service.inputs.healthCheckCustomConfig, { failureThreshold: 1 });
        });

        it(`${expected.protect ? "protects" : "does not protect"} the replication group and the Cloud Map namespace and service`, () => {
          const stateful = [
            replicationGroup(),
            partOf(run(), REGISTRY, "aws:servicediscovery/httpNamespace:HttpNamespace"),
            partOf(run(), REGISTRY, "aws:servicediscovery/service:Service"),
          ];
          assert.deepEqual(
            stateful.map((r) => r.protect),
            [expected.protect, expected.protect, expected.protect],
          );
          const others = run().resources.filter((r) => r.custom && !stateful.includes(r));
          assert.deepEqual(
            others.filter((r) => r.protect).map((r) => r.type),
            [],
          );
        });
      });

      describe("security groups", () => {
        const rules = (kind: "Ingress" | "Egress") =>
          ofType(run(), `aws:vpc/securityGroup${kind}Rule:SecurityGroup${kind}Rule`);
        const describeRule = (r: { inputs: Record<string, unknown> }, groups: Record<string, string>) =>
          `${groups[String(r.inputs.securityGroupId)]} ${r.inputs.ipProtocol}/${r.inputs.fromPort}-${r.inputs.toPort} ${r.inputs.referencedSecurityGroupId ? groups[String(r.inputs.referencedSecurityGroupId)] : r.inputs.cidrIpv4}`;
        const names = () => ({
          [group("function").id!]: "function",
          [group("redis").id!]: "redis",
          [group("service").id!]: "service",
        });

        it("admits Redis only from the function and the services, and refresh calls only from the function", () => {
          assert.deepEqual(
            rules("Ingress")
              .map((r) => describeRule(r, names()))
              .sort(),
            ["redis tcp/6379-6379 function", "redis tcp/6379-6379 service", "service tcp/50051-50051 function"],
          );
        });

        it("lets the function reach AWS APIs over HTTPS, Redis and the services' refresh port; the services Redis and AWS APIs", () => {
          assert.deepEqual(
            rules("Egress")
              .map((r) => describeRule(r, names()))
              .sort(),
            [
              "function tcp/443-443 0.0.0.0/0",
              "function tcp/50051-50051 service",
              "function tcp/6379-6379 redis",
              "service tcp/443-443 0.0.0.0/0",
              "service tcp/6379-6379 redis",
            ],
          );
        });

        it("places every group in the pipeline's VPC", () => {
          const vpcId = stateOf(partOf(run(), NETWORK, "awsx:ec2:Vpc")).vpcId;
          for (const g of ofType(run(), "aws:ec2/securityGroup:SecurityGroup")) assert.equal(g.inputs.vpcId, vpcId);
        });
      });

      describe("network", () => {
        it(`creates a VPC over ${expected.zones} zones with NAT gateways ${expected.nat}`, () => {
          const vpc = partOf(run(), NETWORK, "awsx:ec2:Vpc");
          assert.equal(vpc.remote, true);
          assert.equal(vpc.inputs.numberOfAvailabilityZones, expected.zones);
          assert.deepEqual(vpc.inputs.natGateways, { strategy: expected.nat });
        });
      });

      describe("secrets", () => {
        const secretValues = () =>
          ofType(run(), "random:index/randomPassword:RandomPassword").map((p) => String(stateOf(p).result));

        it("stores every generated token as a SecureString outside the prefix", () => {
          for (const parameter of [
            redisPasswordParameter("fn"),
            redisPasswordParameter("svc"),
            partOf(run(), REGISTRY, "aws:ssm/parameter:Parameter"),
          ]) {
            assert.equal(parameter.inputs.type, "SecureString");
            assert.ok(parameter.secretInputs.includes("value"));
            assert.ok(String(parameter.inputs.name).startsWith(`/config-refresh/shop/${stack}/`));
            assert.equal(String(parameter.inputs.name).startsWith(prefix), false);
          }
        });

        it("passes no token to the replication group: its users hold the passwords", () => {
          assert.equal(replicationGroup().inputs.authToken, undefined);
        });

        it("never puts a token value in a plain input of any resource (the function's environment included)", () => {
          const values = secretValues();
          assert.equal(values.length, 4);
          for (const value of values) {
            for (const resource of run().resources) {
              if (resource.type === "random:index/randomPassword:RandomPassword") continue;
              for (const path of pathsHolding(resource.inputs, value)) {
                assert.ok(
                  isUnderSecret(resource, path),
                  `${resource.type} ${resource.name} holds a token in plain input ${path}`,
                );
              }
            }
          }
        });

        it("never exports a token value, and no output is secret", () => {
          const exported = JSON.stringify(run().outputs);
          for (const value of secretValues()) assert.equal(exported.includes(value), false);
          assert.deepEqual(run().secretOutputs, []);
          const pipelineUrn = single(run(), PIPELINE).urn!;
          assert.deepEqual(run().componentOutputs[pipelineUrn]!.secretPaths, []);
        });
      });

      describe("outputs", () => {
        it("exports everything a service needs to configure the client", () => {
          for (const key of CLIENT_OUTPUTS)
            assert.ok(run().outputs[key] !== undefined, `stack output ${key} is missing`);
          const outputs = run().outputs;
          assert.equal(outputs.parameterPrefix, prefix);
          assert.equal(outputs.streamKey, `config-refresh:{${prefix}}`);
          assert.equal(outputs.refreshPort, 50051);
          assert.equal(outputs.redisPort, 6379);
          assert.equal(outputs.redisEndpoint, stateOf(replicationGroup()).primaryEndpointAddress);
          assert.equal(outputs.serviceSecurityGroupId, group("service").id);
          assert.equal(outputs.deadLetterQueueUrl, stateOf(queue()).url);
          assert.equal(outputs.ruleArn, stateOf(rule()).arn);
          assert.equal(outputs.functionName, stateOf(fn()).name);
        });

        it("registers the same outputs on the pipeline component", () => {
          const keys = run().componentOutputs[single(run(), PIPELINE).urn!]!.keys;
          for (const key of CLIENT_OUTPUTS) assert.ok(keys.includes(key), `component output ${key} is missing`);
        });

        it("exports exactly the component's outputs under their names, each listed once in the README's table", () => {
          const keys = [...run().componentOutputs[single(run(), PIPELINE).urn!]!.keys].sort();
          assert.equal(keys.length, 26);
          assert.deepEqual(Object.keys(run().outputs).sort(), keys);
          assert.deepEqual([...readmeOutputNames()].sort(), keys);
        });
      });
    });
  }

  describe("a stack whose yaml conflicts", () => {
    it("fails the preview naming both settings, before declaring the stream host", () => {
      assert.ok(
        conflicting.errors.some((e) => e.includes("redis.multiAz is true but redis.replicas is 0")),
        `errors: ${JSON.stringify(conflicting.errors)}`,
      );
      assert.equal(ofType(conflicting, "aws:elasticache/replicationGroup:ReplicationGroup").length, 0);
      assert.ok(conflicting.resources.every((r) => typeOfUrn(r.urn ?? "") !== REDIS));
    });
  });
});
