import { DescribeParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";
import {
  allowedPatternRefusal,
  fullNameProblems,
  MAX_STANDARD_VALUE_BYTES,
  maxValueBytes,
} from "../../../components/appConfig/ssmRules";
import type { ParameterType } from "../../protocol/types";

/** What SSM holds about an existing parameter (`DescribeParameters`: no value, no decryption). */
export interface ExistingParameter {
  name: string;
  type: ParameterType;
  version: number;
  /** `Standard`, `Advanced` or `Intelligent-Tiering`. */
  tier: string;
  /** The pattern SSM checks every value against, when the parameter has one. */
  allowedPattern?: string;
  /** When SSM last changed it, epoch ms. */
  modifiedAt?: number;
}

/**
 * The parameter as `DescribeParameters` describes it, or undefined when it does not exist.
 * Throws what the SDK throws.
 *
 * @example
 * ```ts
 * const existing = await describeParameter(ssm, "/shop/beta/log_level"); // { type: "String", tier: "Standard", ... }
 * ```
 */
export async function describeParameter(ssm: SSMClient, name: string): Promise<ExistingParameter | undefined> {
  const { Parameters = [] } = await ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }] }),
  );
  const found = Parameters.find((p) => p.Name === name);
  if (!found) return undefined;
  return {
    name,
    type: (found.Type ?? "String") as ParameterType,
    version: found.Version ?? 0,
    tier: found.Tier ?? "Standard",
    ...(found.AllowedPattern ? { allowedPattern: found.AllowedPattern } : {}),
    ...(found.LastModifiedDate ? { modifiedAt: found.LastModifiedDate.getTime() } : {}),
  };
}

/**
 * What Parameter Store would refuse about writing `value` to `name`, or `[]`: an empty value, a value
 * over its tier's size, one its `allowedPattern` refuses, a type other than the parameter's, and for a
 * new parameter a name SSM refuses (a new one is Standard: 4096 bytes). Checked before anything is
 * asked or written, so a write SSM (or the emulator, which checks less) would refuse never starts.
 *
 * @example
 * ```ts
 * ssmWriteProblems("/shop/beta/http/timeout_ms", "fast", { ...existing, allowedPattern: "^\\d+$" });
 * // ["SSM refuses it: Parameter value, cannot be validated against allowedPattern: ^\d+$"]
 * ```
 */
export function ssmWriteProblems(
  name: string,
  value: string,
  existing: ExistingParameter | undefined,
  type?: ParameterType,
): string[] {
  const problems: string[] = [];
  if (value === "") problems.push("the value is empty: Parameter Store holds no empty value");
  if (existing && type !== undefined && type !== existing.type) {
    problems.push(
      `${name} is a ${existing.type}, not a ${type}: set keeps a parameter's type ` +
        "(the instances' schemas read it as it is); leave out --type",
    );
  }
  if (!existing) problems.push(...fullNameProblems(name).map((problem) => `the name: ${problem}`));
  const tier = existing?.tier ?? "Standard";
  const bytes = Buffer.byteLength(value, "utf8");
  const limit = existing ? maxValueBytes(tier) : MAX_STANDARD_VALUE_BYTES;
  if (bytes > limit) {
    problems.push(
      `the value is ${bytes} bytes; a ${tier} parameter holds at most ${limit}` +
        (tier === "Standard" ? " (an Advanced one 8192)" : ""),
    );
  }
  const refusal = allowedPatternRefusal(value, existing?.allowedPattern);
  if (refusal) problems.push(`SSM refuses it: ${refusal}`);
  return problems;
}
