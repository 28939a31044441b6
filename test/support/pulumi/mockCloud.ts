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
};

/** Answers for invokes, by token. */
export const INVOKES: Record<string, (args: MockCallArgs, account: MockAccount) => Record<string, unknown>> = {
  "aws:ssm/getParametersByPath:getParametersByPath": (call, acc) => {
    const path = String(call.inputs.path).replace(/\/$/, "") + "/";
    const recursive = call.inputs.recursive === true;
    const names = Object.keys(acc.parameters).filter(
      (n) => n.startsWith(path) && (recursive || !n.slice(path.length).includes("/")),
    );
    return {
      id: path, path: call.inputs.path, names, types: names.map((n) => acc.parameters[n]),
      values: names.map(() => "live-value"), arns: names.map((n) => arn(acc, "ssm", `parameter${n}`)),
      withDecryption: call.inputs.withDecryption, recursive, region: acc.region,
    };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": (_c, acc) => ({
    accountId: acc.accountId, arn: `arn:aws:iam::${acc.accountId}:user/ci`, userId: "AIDATEST", id: acc.accountId,
  }),
  "aws:index/getRegion:getRegion": (_c, acc) => ({ name: acc.region, region: acc.region, id: acc.region, description: acc.region }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
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
