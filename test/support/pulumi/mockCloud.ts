/**
 * The mocked AWS account the stack program runs against: what `newResource` answers for each
 * resource type and what each invoke (data source) answers. Pure data plus small functions, shared
 * by every component test through {@link ./programRunner}.
 */
import type { MockCallArgs, MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime";

/** The live account a scenario starts from. */
export interface MockAccount {
  /** Parameters that already exist in SSM: full name → type. */
  parameters: Record<string, string>;
  region: string;
  accountId: string;
}

export const DEFAULT_ACCOUNT: MockAccount = { parameters: {}, region: "eu-west-1", accountId: "123456789012" };

type OutputsOf = (args: MockResourceArgs, account: MockAccount) => Record<string, unknown>;

const arn = (account: MockAccount, service: string, resource: string): string =>
  `arn:aws:${service}:${account.region}:${account.accountId}:${resource}`;

/**
 * Computed outputs per resource type, beside the inputs echoed back. A type missing here gets
 * `id` and `arn` only. Add a type here when a component reads one of its outputs.
 */
export const RESOURCE_OUTPUTS: Record<string, OutputsOf> = {
  "aws:ssm/parameter:Parameter": (a, acc) => ({ arn: arn(acc, "ssm", `parameter${a.inputs.name}`), version: 1 }),
  // awsx.ec2.Vpc is a remote component: under mocks its outputs come from here.
  "awsx:ec2:Vpc": (a) => {
    const zones = Number(a.inputs.numberOfAvailabilityZones ?? 3);
    const ids = (kind: string) => Array.from({ length: zones }, (_, i) => `subnet-${kind}-${i}-${a.name}`);
    return {
      vpcId: `vpc-${a.name}`,
      privateSubnetIds: ids("private"),
      publicSubnetIds: ids("public"),
      isolatedSubnetIds: [],
    };
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": (a, acc) => ({
    arn: arn(acc, "elasticache", `replicationgroup:${a.name}`),
    primaryEndpointAddress: `master.${a.name}.abc123.euw1.cache.amazonaws.com`,
    readerEndpointAddress: `replica.${a.name}.abc123.euw1.cache.amazonaws.com`,
    port: a.inputs.port ?? 6379,
  }),
  "aws:elasticache/subnetGroup:SubnetGroup": (a, acc) => ({
    name: a.inputs.name ?? a.name,
    arn: arn(acc, "elasticache", `subnetgroup:${a.name}`),
  }),
  "aws:lambda/function:Function": (a, acc) => {
    const name = String(a.inputs.name ?? a.name);
    return {
      name,
      arn: arn(acc, "lambda", `function:${name}`),
      invokeArn: `arn:aws:apigateway:${acc.region}:lambda:path/functions/${name}/invocations`,
    };
  },
  "aws:sqs/queue:Queue": (a, acc) => {
    const name = String(a.inputs.name ?? a.name);
    return {
      name,
      arn: arn(acc, "sqs", name),
      url: `https://sqs.${acc.region}.amazonaws.com/${acc.accountId}/${name}`,
    };
  },
  "aws:cloudwatch/eventRule:EventRule": (a, acc) => {
    const name = String(a.inputs.name ?? a.name);
    return { name, arn: arn(acc, "events", `rule/${name}`) };
  },
  "aws:cloudwatch/logGroup:LogGroup": (a, acc) => ({ arn: arn(acc, "logs", `log-group:${a.inputs.name ?? a.name}`) }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (a, acc) => ({
    arn: arn(acc, "cloudwatch", `alarm:${a.inputs.name ?? a.name}`),
  }),
  "aws:iam/role:Role": (a, acc) => {
    const name = String(a.inputs.name ?? a.name);
    return { name, arn: `arn:aws:iam::${acc.accountId}:role/${name}` };
  },
  "aws:iam/policy:Policy": (a, acc) => {
    const name = String(a.inputs.name ?? a.name);
    return { name, arn: `arn:aws:iam::${acc.accountId}:policy/${name}` };
  },
  "aws:servicediscovery/httpNamespace:HttpNamespace": (a, acc) => ({
    arn: arn(acc, "servicediscovery", `namespace/ns-${a.name}`),
    httpName: a.inputs.name,
  }),
  "aws:servicediscovery/service:Service": (a, acc) => ({ arn: arn(acc, "servicediscovery", `service/srv-${a.name}`) }),
  "aws:ec2/securityGroup:SecurityGroup": (a, acc) => ({ arn: arn(acc, "ec2", `security-group/sg-${a.name}`) }),
  "aws:sns/topic:Topic": (a, acc) => ({ arn: arn(acc, "sns", String(a.inputs.name ?? a.name)) }),
  "random:index/randomPassword:RandomPassword": (a) => ({
    result: `mock-secret-${a.name}-7Qx2Kp9Wz4`,
    bcryptHash: "mock-bcrypt",
  }),
};

/** Answers for invokes, by token. */
export const INVOKES: Record<string, (args: MockCallArgs, account: MockAccount) => Record<string, unknown>> = {
  "aws:ssm/getParametersByPath:getParametersByPath": (call, acc) => {
    const path = `${String(call.inputs.path).replace(/\/$/, "")}/`;
    const recursive = call.inputs.recursive === true;
    const names = Object.keys(acc.parameters).filter(
      (n) => n.startsWith(path) && (recursive || !n.slice(path.length).includes("/")),
    );
    return {
      id: path,
      path: call.inputs.path,
      names,
      types: names.map((n) => acc.parameters[n]),
      values: names.map(() => "live-value"),
      arns: names.map((n) => arn(acc, "ssm", `parameter${n}`)),
      withDecryption: call.inputs.withDecryption,
      recursive,
      region: acc.region,
    };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": (_c, acc) => ({
    accountId: acc.accountId,
    arn: `arn:aws:iam::${acc.accountId}:user/ci`,
    userId: "AIDATEST",
    id: acc.accountId,
  }),
  "aws:index/getRegion:getRegion": (_c, acc) => ({
    name: acc.region,
    region: acc.region,
    id: acc.region,
    description: acc.region,
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:sns/getTopic:getTopic": (call, acc) => ({
    name: call.inputs.name,
    arn: arn(acc, "sns", String(call.inputs.name)),
    id: arn(acc, "sns", String(call.inputs.name)),
  }),
};

/** The `newResource` answer for any resource. */
export function mockResource(args: MockResourceArgs, account: MockAccount): MockResourceResult {
  const id = args.id || `${args.name}-id`;
  const extra = RESOURCE_OUTPUTS[args.type]?.(args, account) ?? {};
  return { id, state: { arn: arn(account, args.type.split(":")[0] ?? "mock", args.name), ...args.inputs, ...extra } };
}

/** The `call` answer for any invoke; an unknown token fails loudly so a test never runs on a silent default. */
export function mockInvoke(args: MockCallArgs, account: MockAccount): Record<string, unknown> {
  const answer = INVOKES[args.token];
  if (!answer) throw new Error(`mockCloud: no mock for invoke ${args.token}; add it to INVOKES`);
  return answer(args, account);
}
