import { DescribeParametersCommand, GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterChangeNotice } from "../../operator/relay/parameterChangeEvent";
import type { ParameterType } from "../../protocol/types";
import type { SsmWrite } from "./ssmWrite";

/** What a change event says of a parameter beyond its name, as SSM holds it. */
export interface ParameterFacts {
  type: ParameterType;
  arn: string;
  /** `""` when it has none, as the event says. */
  description: string;
  allowedPattern?: string;
}

/**
 * Type, ARN, description and allowed pattern of each name that exists (GetParameters gives the ARN,
 * DescribeParameters the description and pattern); at most 10 names, as one SSM write holds.
 */
export async function readParameterFacts(
  ssm: SSMClient,
  names: readonly string[],
): Promise<Map<string, ParameterFacts>> {
  const [got, described] = await Promise.all([
    ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: false })),
    ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [...names] }],
        MaxResults: 50,
      }),
    ),
  ]);
  const metadata = new Map((described.Parameters ?? []).map((p) => [p.Name ?? "", p] as const));
  const facts = new Map<string, ParameterFacts>();
  for (const parameter of got.Parameters ?? []) {
    if (!parameter.Name) continue;
    const more = metadata.get(parameter.Name);
    facts.set(parameter.Name, {
      type: (parameter.Type ?? "String") as ParameterType,
      arn: parameter.ARN ?? "",
      description: more?.Description ?? "",
      ...(more?.AllowedPattern ? { allowedPattern: more.AllowedPattern } : {}),
    });
  }
  return facts;
}

/**
 * The change events Parameter Store emits for a write it accepted, from SSM's answer: a put is
 * `Create` when it made version 1 (a new name, or one deleted before), else `Update`; a delete names
 * each name it removed; a label move emits once, when at least one label was attached. Type and
 * description come from `facts`: read after a put or label, before a delete.
 *
 * @throws Error when a written name has no facts (it vanished between the write and the look-up).
 */
export function writeNotices(
  write: SsmWrite,
  answer: Record<string, unknown>,
  facts: ReadonlyMap<string, ParameterFacts>,
  time: Date,
): ParameterChangeNotice[] {
  const notice = (name: string, operation: ParameterChangeNotice["operation"]): ParameterChangeNotice => {
    const known = facts.get(name);
    if (!known) throw new Error(`${name} was written but SSM no longer knows it: no change event sent`);
    return { operation, name, type: known.type, arn: known.arn, description: known.description, time };
  };
  const [name = ""] = write.names;
  switch (write.operation) {
    case "PutParameter":
      return [notice(name, answer.Version === 1 ? "Create" : "Update")];
    case "DeleteParameter":
      return [notice(name, "Delete")];
    case "DeleteParameters": {
      const deleted = Array.isArray(answer.DeletedParameters) ? answer.DeletedParameters : [];
      return deleted.filter((n): n is string => typeof n === "string").map((n) => notice(n, "Delete"));
    }
    case "LabelParameterVersion": {
      const invalid = Array.isArray(answer.InvalidLabels) ? answer.InvalidLabels.length : 0;
      return (write.labels?.length ?? 0) > invalid ? [notice(name, "LabelParameterVersion")] : [];
    }
  }
}
