import { describeError } from "../../common/errors";
import { GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterType } from "../../protocol";
import { ParameterStoreError } from "../errors";

/** Names per `GetParameters` call (the API's limit). */
export const GET_PARAMETERS_BATCH_SIZE = 10;

/** A parameter as Parameter Store holds it now. */
export interface CurrentParameter {
  name: string;
  type: ParameterType;
  version: number;
  /** String and StringList only: a SecureString's value is never read here, so it can never leak. */
  value?: string;
  /** `LastModifiedDate`, epoch ms. */
  modifiedAt: number;
}

/** Current state by name: the parameter, or `undefined` when it does not exist (deleted). */
export type CurrentParameters = Map<string, CurrentParameter | undefined>;

const NAME = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_NAME_LENGTH = 1011;

/** True when Parameter Store could hold a parameter of this name (so asking for it cannot fail the whole call). */
export function isParameterName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

/**
 * Reads the current state of `names` with `GetParameters`, 10 names a call, the calls in parallel:
 * D distinct names cost ⌈D/10⌉ calls however many events named them. Without decryption: version,
 * type, `LastModifiedDate` and the value of String/StringList are all that is published; a
 * SecureString's ciphertext is dropped. Results are matched by `Name` (the API answers in no fixed
 * order); a name in `InvalidParameters` does not exist any more.
 *
 * @throws {@link ParameterStoreError} when a call fails (after the SDK's own retries) or answers
 * something unexpected: the invocation must be retried, nothing has been published yet.
 *
 * @example
 * ```ts
 * const current = await fetchCurrentParameters(ssm, ["/shop/beta/log_level"]);
 * current.get("/shop/beta/log_level")?.version;
 * ```
 */
export async function fetchCurrentParameters(ssm: SSMClient, names: readonly string[]): Promise<CurrentParameters> {
  const distinct = [...new Set(names)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += GET_PARAMETERS_BATCH_SIZE)
    chunks.push(distinct.slice(i, i + GET_PARAMETERS_BATCH_SIZE));
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      try {
        return await ssm.send(new GetParametersCommand({ Names: chunk, WithDecryption: false }));
      } catch (error) {
        throw new ParameterStoreError(
          `GetParameters failed for ${chunk.length} name(s) (${chunk[0]}…): ${describeError(error)}`,
          { cause: error },
        );
      }
    }),
  );
  const current: CurrentParameters = new Map();
  for (const answer of answers) {
    for (const parameter of answer.Parameters ?? []) {
      const { Name: name, Type: type, Version: version, LastModifiedDate: modified } = parameter;
      if (!name || !type || version === undefined || !modified) {
        throw new ParameterStoreError(
          `GetParameters answered a parameter without name, type, version or LastModifiedDate (${name ?? "no name"})`,
        );
      }
      current.set(name, {
        name,
        type: type as ParameterType,
        version,
        modifiedAt: modified.getTime(),
        ...(type !== "SecureString" && parameter.Value !== undefined ? { value: parameter.Value } : {}),
      });
    }
    for (const name of answer.InvalidParameters ?? []) current.set(name, undefined);
  }
  const unanswered = distinct.filter((name) => !current.has(name));
  if (unanswered.length > 0) throw new ParameterStoreError(`GetParameters did not answer for ${unanswered.join(", ")}`);
  return current;
}
