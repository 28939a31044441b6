import { GetParametersByPathCommand, type GetParametersByPathCommandOutput, type SSMClient } from "@aws-sdk/client-ssm";
import { describeError } from "../../common/errors";
import type { ParameterType } from "../../protocol";
import { ParameterStoreError } from "../errors";
import type { CurrentParameter } from "../parameters";

/** Results per `GetParametersByPath` page (the API's limit). */
const PAGE_SIZE = 10;
/** Pages read at most: 100,000 parameters, ten times SSM's standard-tier count per account and region. */
const MAX_PAGES = 10_000;

/** What one sweep of the prefix found. */
export interface PrefixSweep {
  /** Every parameter under the prefix, by name (String/StringList with their value, never a SecureString's). */
  parameters: Map<string, CurrentParameter>;
  /** `GetParametersByPath` calls made: ⌈parameters/10⌉ (at least 1). */
  pages: number;
}

/**
 * Reads every parameter under `prefix` once, recursively and without decryption, 10 a page: the
 * reconciler's only SSM cost, independent of the fleet. A SecureString's ciphertext is dropped,
 * as `fetchCurrentParameters` does.
 *
 * @throws {@link ParameterStoreError} when a page fails (after the SDK's retries) or is malformed.
 *
 * @example
 * ```ts
 * const { parameters, pages } = await readPrefixParameters(ssm, "/shop/beta/");
 * ```
 */
export async function readPrefixParameters(ssm: SSMClient, prefix: string): Promise<PrefixSweep> {
  const parameters = new Map<string, CurrentParameter>();
  let token: string | undefined;
  let pages = 0;
  do {
    if (pages >= MAX_PAGES) {
      throw new ParameterStoreError(`${prefix} has more than ${MAX_PAGES * PAGE_SIZE} parameters: not swept`);
    }
    let answer: GetParametersByPathCommandOutput;
    try {
      answer = await ssm.send(
        new GetParametersByPathCommand({
          // SSM authorizes the path itself; the function's policy grants it with and without the slash.
          Path: prefix,
          Recursive: true,
          WithDecryption: false,
          MaxResults: PAGE_SIZE,
          ...(token ? { NextToken: token } : {}),
        }),
      );
    } catch (error) {
      const detail = `GetParametersByPath ${prefix} failed (page ${pages + 1}): ${describeError(error)}`;
      throw new ParameterStoreError(detail, { cause: error });
    }
    pages++;
    for (const parameter of answer.Parameters ?? []) {
      const { Name: name, Type: type, Version: version, LastModifiedDate: modified } = parameter;
      if (!name || !type || version === undefined || !modified) {
        const what = `a parameter without name, type, version or LastModifiedDate (${name ?? "no name"})`;
        throw new ParameterStoreError(`GetParametersByPath answered ${what}`);
      }
      parameters.set(name, {
        name,
        type: type as ParameterType,
        version,
        modifiedAt: modified.getTime(),
        ...(type !== "SecureString" && parameter.Value !== undefined ? { value: parameter.Value } : {}),
      });
    }
    token = answer.NextToken;
  } while (token);
  return { parameters, pages };
}
