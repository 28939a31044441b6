import { paginateGetParameterHistory, type ParameterHistory, type SSMClient } from "@aws-sdk/client-ssm";

/** Most versions per `GetParameterHistory` page (SSM's limit). */
const HISTORY_PAGE_SIZE = 50;
/** SSM keeps 100 versions (2 pages); the bound only stops a runaway. */
const MAX_HISTORY_PAGES = 20;

/**
 * Every version SSM keeps of `name`, newest first, decrypted unless `withDecryption` is false (a
 * reader that shows no secret). Throws what the SDK throws.
 *
 * @example
 * ```ts
 * const [current] = await readParameterVersions(ssm, "/shop/beta/log_level");
 * ```
 */
export async function readParameterVersions(
  ssm: SSMClient,
  name: string,
  withDecryption = true,
): Promise<ParameterHistory[]> {
  const versions: ParameterHistory[] = [];
  let pages = 0;
  for await (const page of paginateGetParameterHistory(
    { client: ssm, pageSize: HISTORY_PAGE_SIZE },
    { Name: name, WithDecryption: withDecryption },
  )) {
    versions.push(...(page.Parameters ?? []));
    if (++pages >= MAX_HISTORY_PAGES) break;
  }
  return versions.sort((a, b) => (b.Version ?? 0) - (a.Version ?? 0));
}
