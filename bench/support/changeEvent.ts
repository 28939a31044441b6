import { randomUUID } from "node:crypto";
import {
  parameterChangeEventEntry,
  type ParameterChangeNotice,
} from "../../runtime/operator/relay/parameterChangeEvent";

/** A "Parameter Store Change" event as EventBridge hands it to a Lambda target. */
export interface ParameterChangeEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * The event EventBridge would deliver to the refresh function for a write, built from the local
 * relay's own entry shape (`parameterChangeEventEntry`), for invoking the handler directly. The
 * time is cut to whole seconds, as EventBridge does.
 */
export function parameterChangeEvent(notice: ParameterChangeNotice, region: string): ParameterChangeEvent {
  const entry = parameterChangeEventEntry(notice);
  const time = (entry.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": entry.DetailType ?? "",
    source: entry.Source ?? "",
    account: "000000000000",
    time,
    region,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail ?? "{}") as Record<string, unknown>,
  };
}
