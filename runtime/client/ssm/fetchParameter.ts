import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { toLoadedParameter, type LoadedParameter } from "./loadParameters";

/**
 * Reads exactly `version` of a parameter, decrypted (the `name:version` selector), so the value
 * matches the revision the change announced even if a newer one was written since. Used for
 * SecureString changes, which carry no value. Returns a sentence instead of throwing.
 */
export async function fetchParameterVersion(
  ssm: SSMClient,
  name: string,
  version: number,
): Promise<{ ok: true; parameter: LoadedParameter } | { ok: false; detail: string }> {
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: `${name}:${version}`, WithDecryption: true }));
    const parameter = answer.Parameter && toLoadedParameter(answer.Parameter);
    return parameter
      ? { ok: true, parameter }
      : { ok: false, detail: `SSM answered ${name}:${version} without a value` };
  } catch (error) {
    const reason = error instanceof Error ? error.name : "Error";
    return { ok: false, detail: `cannot read ${name}:${version} from SSM (${reason})` };
  }
}
