import { paginateGetParametersByPath, type Parameter, type SSMClient } from "@aws-sdk/client-ssm";
import { PARAMETER_TYPES, type ParameterType } from "../../protocol";

/** A parameter as read from SSM (decrypted). */
export interface LoadedParameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly value: string;
  readonly version: number;
  /** SSM's LastModifiedDate, epoch ms. */
  readonly modifiedAt: number;
}

/** Most results per `GetParametersByPath` page (SSM's limit). */
export const PARAMETERS_PAGE_SIZE = 10;

/**
 * Every parameter under `path`, recursively, decrypted, following every page. Throws what the
 * SDK throws; the caller decides whether that stops a start or only delays a reload.
 *
 * @example
 * ```ts
 * const parameters = await loadParameters(new SSMClient({}), "/shop/beta/");
 * ```
 */
export async function loadParameters(ssm: SSMClient, path: string): Promise<LoadedParameter[]> {
  const loaded: LoadedParameter[] = [];
  const pages = paginateGetParametersByPath(
    { client: ssm, pageSize: PARAMETERS_PAGE_SIZE },
    { Path: path, Recursive: true, WithDecryption: true },
  );
  for await (const page of pages) {
    for (const parameter of page.Parameters ?? []) {
      const read = toLoadedParameter(parameter);
      if (read) loaded.push(read);
    }
  }
  return loaded;
}

/** A parameter of an SSM answer, or undefined when a field this library needs is missing. */
export function toLoadedParameter(parameter: Parameter): LoadedParameter | undefined {
  const { Name: name, Type: type, Value: value, Version: version, LastModifiedDate: modified } = parameter;
  if (
    !name ||
    value === undefined ||
    version === undefined ||
    !type ||
    !PARAMETER_TYPES.includes(type as ParameterType)
  )
    return undefined;
  return { name, type: type as ParameterType, value, version, modifiedAt: modified ? modified.getTime() : 0 };
}
