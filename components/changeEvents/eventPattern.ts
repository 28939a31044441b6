/**
 * The EventBridge pattern of the refresh rule. A plain function with no Pulumi or AWS import: the
 * component and the local pipeline (which creates the same rule in moto) build the rule from it.
 */
import { prefixProblems } from "../appConfig/ssmRules";

/** `source` of the events Parameter Store emits. */
export const PARAMETER_CHANGE_SOURCE = "aws.ssm";
/** `detail-type` of a parameter being created, updated, deleted or labelled. */
export const PARAMETER_CHANGE_DETAIL_TYPE = "Parameter Store Change";

/** The pattern object, as EventBridge reads it (serialize it with `JSON.stringify`). */
export interface ParameterChangeEventPattern {
  source: [typeof PARAMETER_CHANGE_SOURCE];
  "detail-type": [typeof PARAMETER_CHANGE_DETAIL_TYPE];
  detail: { name: [{ prefix: string }] };
}

/**
 * The pattern matching every "Parameter Store Change" (Create, Update, Delete,
 * LabelParameterVersion) of a parameter under `prefix`, and nothing else.
 *
 * The prefix keeps its trailing slash: `prefix: "/shop/beta"` would also match `/shop/betamax/x`,
 * another app's parameters. Every operation is matched; the function decides what each one means.
 *
 * @example
 * ```ts
 * const rule = new aws.cloudwatch.EventRule("refresh", {
 *   eventPattern: JSON.stringify(parameterChangeEventPattern("/shop/beta/")),
 * });
 * ```
 */
export function parameterChangeEventPattern(prefix: string): ParameterChangeEventPattern {
  const problems = prefixProblems(prefix);
  if (problems.length > 0) throw new Error(`cannot build the parameter change event pattern: ${problems.join("; ")}`);
  return {
    source: [PARAMETER_CHANGE_SOURCE],
    "detail-type": [PARAMETER_CHANGE_DETAIL_TYPE],
    detail: { name: [{ prefix }] },
  };
}
