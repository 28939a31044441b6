import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { PARAMETER_CHANGE_DETAIL_TYPE, PARAMETER_CHANGE_SOURCE } from "../../../components/changeEvents/eventPattern";
import type { ChangeOperation, ParameterType } from "../../protocol/types";

/** One write to Parameter Store, as its change event describes it. */
export interface ParameterChangeNotice {
  operation: ChangeOperation;
  /** Full SSM name. */
  name: string;
  type: ParameterType;
  /** The parameter's ARN (the event's only resource). */
  arn: string;
  /** The parameter's description; Parameter Store sends `""` when it has none. */
  description?: string;
  /** When the write happened (EventBridge keeps whole seconds). Default: now. */
  time?: Date;
}

/**
 * The PutEvents entry of a "Parameter Store Change" event, in the shape Parameter Store emits:
 * `source: aws.ssm`, `detail-type: Parameter Store Change`, `resources: [<parameter ARN>]`,
 * `detail: {operation, name, type, description}`.
 *
 * @example
 * ```ts
 * parameterChangeEventEntry({ operation: "Update", name: "/shop/beta/log_level", type: "String", arn });
 * ```
 */
export function parameterChangeEventEntry(notice: ParameterChangeNotice): PutEventsRequestEntry {
  return {
    Source: PARAMETER_CHANGE_SOURCE,
    DetailType: PARAMETER_CHANGE_DETAIL_TYPE,
    Resources: [notice.arn],
    Time: notice.time ?? new Date(),
    Detail: JSON.stringify({
      operation: notice.operation,
      name: notice.name,
      type: notice.type,
      description: notice.description ?? "",
    }),
  };
}
