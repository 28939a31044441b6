import { strict as assert } from "node:assert";
import * as grpc from "@grpc/grpc-js";
import { z } from "zod";
import { LAMBDA_ENVIRONMENT, readLambdaSettings } from "../../../runtime/lambda/environment";
import { refreshCallCredentials } from "../../../runtime/lambda/fanout/refreshCallCredentials";
import {
  createRefreshClient,
  refreshTokenMetadata,
  toWireChange,
  type RefreshResponse,
  type RefreshServiceClient,
  type WireParameterChange,
} from "../../../runtime/protocol";
import { ClientPool, startTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { putParameter, putParameters } from "./support/parameters";
import { makeCertificates } from "../../support/tls/makeCertificates";

const TOKEN = "refresh-test-token-0123456789abcdef";
const SERVER_NAME = "refresh.shop.internal";

function refresh(client: RefreshServiceClient, changes: WireParameterChange[]): Promise<RefreshResponse> {
  return new Promise((resolve, reject) =>
    client.Refresh(
      { changes, eventId: "tls", sentAtMs: Date.now() },
      refreshTokenMetadata(TOKEN),
      { deadline: Date.now() + 5_000 },
      (error, response) => (error ? reject(error) : resolve(response as RefreshResponse)),
    ),
  );
}

describe("TLS on the refresh server, with the team's certificate", function () {
  this.timeout(60_000);
  let env: TestEnvironment;
  let certificates: ReturnType<typeof makeCertificates>;
  const clients = new ClientPool();
  const callers: RefreshServiceClient[] = [];

  before(async function () {
    this.timeout(60_000);
    certificates = makeCertificates(SERVER_NAME);
    env = await startTestEnvironment();
  });
  afterEach(async () => {
    for (const caller of callers.splice(0)) caller.close();
    await clients.closeAll();
  });
  after(() => env?.dispose());

  async function setUp() {
    const parameterPath = uniquePath();
    await putParameters(env.ssm, parameterPath, { log_level: "info" });
    const client = await clients.start({
      parameterPath,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { log_level: z.string() },
      instanceId: "tls-1",
      refreshServer: {
        tokens: [TOKEN],
        host: "127.0.0.1",
        tls: { certificatePem: certificates.certificatePem, privateKeyPem: certificates.privateKeyPem },
      },
    });
    const caller = (credentials: grpc.ChannelCredentials) => {
      const created = createRefreshClient(`127.0.0.1:${client.refreshPort as number}`, credentials);
      callers.push(created);
      return created;
    };
    return { parameterPath, client, caller };
  }

  it("applies a Refresh the function sends over TLS, trusting only the pinned CA and checking the certificate's name", async () => {
    const { parameterPath, client, caller } = await setUp();
    const change = await putParameter(env.ssm, `${parameterPath}log_level`, "debug");

    const tls = caller(refreshCallCredentials({ caPem: certificates.caPem, serverName: SERVER_NAME }));
    const response = await refresh(tls, [toWireChange(change)]);

    assert.deepEqual(
      response.results.map((r) => [r.outcome, r.version]),
      [["ACK", change.version]],
    );
    assert.equal(client.get("log_level"), "debug");
  });

  it("refuses a caller that trusts another CA, one that expects another name, and a plaintext one", async () => {
    const { parameterPath, client, caller } = await setUp();
    const change = toWireChange(await putParameter(env.ssm, `${parameterPath}log_level`, "warn"));
    const unavailable = (error: unknown) => (error as grpc.ServiceError).code === grpc.status.UNAVAILABLE;

    await assert.rejects(
      refresh(caller(refreshCallCredentials({ caPem: certificates.otherCaPem })), [change]),
      unavailable,
    );
    await assert.rejects(
      refresh(caller(refreshCallCredentials({ caPem: certificates.caPem, serverName: "other.internal" })), [change]),
      unavailable,
    );
    await assert.rejects(refresh(caller(grpc.credentials.createInsecure()), [change]), unavailable);
    assert.equal(client.get("log_level"), "info");
  });

  it("refuses a certificate that is not PEM, naming the option", async () => {
    await assert.rejects(
      clients.start({
        parameterPath: uniquePath(),
        ssm: env.ssm,
        redis: env.redis.url,
        refreshServer: {
          tokens: [TOKEN],
          host: "127.0.0.1",
          tls: { certificatePem: "not a pem", privateKeyPem: certificates.privateKeyPem },
        },
      }),
      /refreshServer\.tls\.certificatePem/,
    );
  });

  it("the function's settings take the pinned CA and the name, and refuse a name without a CA", () => {
    const base = { CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/", CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:6379" };
    const settings = readLambdaSettings({
      ...base,
      [LAMBDA_ENVIRONMENT.rpcTlsCa]: certificates.caPem,
      [LAMBDA_ENVIRONMENT.rpcTlsServerName]: SERVER_NAME,
    });
    assert.equal(settings.rpcTlsCa, certificates.caPem);
    assert.equal(settings.rpcTlsServerName, SERVER_NAME);
    assert.throws(
      () => readLambdaSettings({ ...base, [LAMBDA_ENVIRONMENT.rpcTlsServerName]: SERVER_NAME }),
      /CONFIG_REFRESH_RPC_TLS_SERVER_NAME: goes with CONFIG_REFRESH_RPC_TLS_CA/,
    );
    assert.throws(
      () => readLambdaSettings({ ...base, [LAMBDA_ENVIRONMENT.rpcTlsCa]: "not a pem" }),
      /CONFIG_REFRESH_RPC_TLS_CA: must be a PEM certificate/,
    );
  });
});
