/** The SSM operations after which Parameter Store emits a "Parameter Store Change" event. */
export type SsmWriteOperation = "PutParameter" | "DeleteParameter" | "DeleteParameters" | "LabelParameterVersion";

const WRITE_OPERATIONS: readonly SsmWriteOperation[] = [
  "PutParameter",
  "DeleteParameter",
  "DeleteParameters",
  "LabelParameterVersion",
];
/** The JSON 1.1 target prefix of every SSM operation (`X-Amz-Target: AmazonSSM.PutParameter`). */
const SSM_TARGET_PREFIX = "AmazonSSM.";

/** One SSM write as its JSON 1.1 request states it (the fields the change event needs). */
export interface SsmWrite {
  operation: SsmWriteOperation;
  /** Every name written: one, or those of DeleteParameters. */
  names: string[];
  /** PutParameter only. */
  value?: string;
  type?: string;
  allowedPattern?: string;
  overwrite?: boolean;
  /** LabelParameterVersion only: the labels asked for. */
  labels?: string[];
}

/**
 * The SSM write named by an `X-Amz-Target` header, or undefined for any other request (an SSM
 * read, another service). Only the target is looked at: the body is parsed by {@link parseSsmWrite}.
 */
export function ssmWriteOperation(target: string | string[] | undefined): SsmWriteOperation | undefined {
  if (typeof target !== "string" || !target.startsWith(SSM_TARGET_PREFIX)) return undefined;
  const operation = target.slice(SSM_TARGET_PREFIX.length);
  return WRITE_OPERATIONS.find((known) => known === operation);
}

/**
 * The fields of a write's JSON body; undefined when the body is not a JSON object with the names
 * (SSM answers such a request with an error, so it changes nothing).
 *
 * @example
 * ```ts
 * parseSsmWrite("PutParameter", '{"Name":"/shop/beta/log_level","Value":"warn","Overwrite":true}');
 * // { operation: "PutParameter", names: ["/shop/beta/log_level"], value: "warn", overwrite: true }
 * ```
 */
export function parseSsmWrite(operation: SsmWriteOperation, body: string): SsmWrite | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const fields = json as Record<string, unknown>;
  const names = operation === "DeleteParameters" ? strings(fields.Names) : strings([fields.Name]);
  if (!names || names.length === 0) return undefined;
  const write: SsmWrite = { operation, names };
  if (typeof fields.Value === "string") write.value = fields.Value;
  if (typeof fields.Type === "string") write.type = fields.Type;
  if (typeof fields.AllowedPattern === "string") write.allowedPattern = fields.AllowedPattern;
  if (typeof fields.Overwrite === "boolean") write.overwrite = fields.Overwrite;
  const labels = strings(fields.Labels);
  if (labels) write.labels = labels;
  return write;
}

/**
 * The region a request was signed for (SigV4 `Credential=<key>/<date>/<region>/<service>/...`),
 * which is where moto keeps what it writes; undefined when it is not signed that way.
 */
export function signedRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? "")?.[1];
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return undefined;
  return value as string[];
}
