import { paginateGetParameterHistory, type SSMClient } from "@aws-sdk/client-ssm";
import { toLoadedParameter, type LoadedParameter } from "./loadParameters";

/** Most versions per `GetParameterHistory` page (SSM's limit). */
export const HISTORY_PAGE_SIZE = 50;

/** Pages read at most: SSM keeps 100 versions of a parameter, so 2 pages suffice; the bound only stops a runaway. */
const MAX_HISTORY_PAGES = 20;

/**
 * Every version SSM keeps of `name`, decrypted, newest first (SSM answers oldest first, 50 a page).
 * Throws what the SDK throws (`ParameterNotFound`, `AccessDeniedException`).
 *
 * @example
 * ```ts
 * const [current, previous] = await readParameterHistory(ssm, "/shop/beta/log_level");
 * ```
 */
export async function readParameterHistory(ssm: SSMClient, name: string): Promise<LoadedParameter[]> {
  const versions: LoadedParameter[] = [];
  const pages = paginateGetParameterHistory(
    { client: ssm, pageSize: HISTORY_PAGE_SIZE },
    { Name: name, WithDecryption: true },
  );
  let read = 0;
  for await (const page of pages) {
    for (const parameter of page.Parameters ?? []) {
      const version = toLoadedParameter({ ...parameter, Name: parameter.Name ?? name });
      if (version) versions.push(version);
    }
    if (++read >= MAX_HISTORY_PAGES) break;
  }
  return versions.sort((a, b) => b.version - a.version);
}
