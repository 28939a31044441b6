import { strict as assert } from "node:assert";
import { REFRESH_CA_MAX_BYTES } from "../../../components/pipeline/args";
import { LAMBDA_ENVIRONMENT_MAX_BYTES } from "../../../components/refreshFunction/refreshFunction";
import { LAMBDA_ENVIRONMENT, readLambdaSettings } from "../../../runtime/lambda/environment";
import { runProgram, type ProgramRun } from "../../support/pulumi/runProgram";
import { CREATED_VPC_CONFIG } from "../../support/pulumi/stackNetworks";
import { makeCertificates } from "../../support/tls/makeCertificates";
import { partOf } from "../pipeline/resourceGraph";

const NS = "config-refresh-pipeline";
const FUNCTION = `${NS}:refreshFunction:RefreshFunction`;
const SERVER_NAME = "refresh.shop.internal";

/** The function's environment, names and values, in UTF-8 bytes: what Lambda holds within 4 KB. */
const environmentBytes = (variables: Record<string, string>): number =>
  Object.entries(variables).reduce((n, [key, value]) => n + Buffer.byteLength(key) + Buffer.byteLength(value), 0);

describe("refresh calls over TLS: the component hands the function the instances' CA (mocks)", function () {
  this.timeout(120_000);
  let caPem: string;
  const runWith = (refreshFunction: Record<string, unknown>): Promise<ProgramRun> =>
    runProgram({
      stack: "beta",
      account: {
        parameters: { "/shop/beta/database/password": "SecureString", "/shop/beta/payments/api_key": "SecureString" },
      },
      configOverrides: { ...CREATED_VPC_CONFIG, [`${NS}:refreshFunction`]: JSON.stringify(refreshFunction) },
    });
  const variablesOf = (program: ProgramRun): Record<string, string> =>
    (
      partOf(program, FUNCTION, "aws:lambda/function:Function").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;

  let run: ProgramRun;
  before(async () => {
    caPem = makeCertificates(SERVER_NAME).caPem;
    run = await runWith({ refreshCallTls: { caCertificatePem: caPem, serverName: SERVER_NAME } });
  });

  it("sets the CA and the name the function trusts and checks, which its settings read back", () => {
    assert.deepEqual(run.errors, []);
    const variables = variablesOf(run);
    assert.equal(variables[LAMBDA_ENVIRONMENT.rpcTlsCa], caPem);
    const settings = readLambdaSettings(variables);
    assert.deepEqual([settings.rpcTlsCa, settings.rpcTlsServerName], [caPem, SERVER_NAME]);
  });

  it("leaves room in Lambda's 4 KB environment for the largest CA it takes, beside every other setting", () => {
    const variables = { ...variablesOf(run) };
    const tlsVariables = [LAMBDA_ENVIRONMENT.rpcTlsCa, LAMBDA_ENVIRONMENT.rpcTlsServerName];
    for (const name of tlsVariables) delete variables[name];
    const without = environmentBytes(variables);
    // The two names, a CA of the largest size taken, and the longest DNS name (253).
    const room = Buffer.byteLength(tlsVariables.join("")) + REFRESH_CA_MAX_BYTES + 253;
    assert.ok(
      without + room <= LAMBDA_ENVIRONMENT_MAX_BYTES,
      `${without} bytes of settings + ${room} exceed ${LAMBDA_ENVIRONMENT_MAX_BYTES}`,
    );
    assert.ok(Buffer.byteLength(caPem) <= REFRESH_CA_MAX_BYTES, "an RSA-2048 CA fits");
  });
});
