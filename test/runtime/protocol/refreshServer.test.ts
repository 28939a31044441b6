import { strict as assert } from "node:assert";
import * as grpc from "@grpc/grpc-js";
import {
  createRefreshClient,
  refreshTokenMetadata,
  startRefreshServer,
  type RefreshRequest,
  type RefreshResponse,
  type RefreshServiceClient,
  type RunningRefreshServer,
  type StateResponse,
} from "../../../runtime/protocol";

describe("refresh server (real gRPC on 127.0.0.1)", () => {
  const TOKEN = "current-token";
  const PREVIOUS = "previous-token";
  let server: RunningRefreshServer;
  let client: RefreshServiceClient;
  const handled: string[] = [];
  const refused: string[] = [];
  let failNext = false;

  before(async () => {
    server = await startRefreshServer(
      { tokens: [TOKEN, PREVIOUS], host: "127.0.0.1", onUnauthenticated: (method) => refused.push(method) },
      {
        refresh: (request): RefreshResponse => {
          handled.push("Refresh");
          if (failNext) throw new Error("cannot apply now");
          return {
            instanceId: "i-1",
            appliedAtMs: 1,
            results: request.changes.map((c) => ({ name: c.name, outcome: "ACK", version: c.version })),
          };
        },
        state: (): StateResponse => {
          handled.push("State");
          return {
            instanceId: "i-1",
            parameters: [{ name: "/p/x", version: 3, modifiedAtMs: 2, appliedAtMs: 3 }],
            startedAtMs: 1,
            lastChangeAtMs: 3,
            lastStreamId: "5-0",
          };
        },
      },
    );
    client = createRefreshClient(`127.0.0.1:${server.port}`);
  });
  after(async () => {
    client?.close();
    await server?.stop(500);
  });
  beforeEach(() => {
    handled.length = 0;
    refused.length = 0;
    failNext = false;
  });

  const request: RefreshRequest = {
    changes: [
      { name: "/p/x", operation: "Update", version: 4, type: "String", value: "v", modifiedAtMs: 10, changedAtMs: 9 },
    ],
    eventId: "e",
    sentAtMs: 11,
  };

  function refresh(metadata: grpc.Metadata): Promise<RefreshResponse> {
    return new Promise((resolve, reject) =>
      client.Refresh(request, metadata, { deadline: Date.now() + 5_000 }, (e, r) => (e ? reject(e) : resolve(r!))),
    );
  }
  function state(metadata: grpc.Metadata): Promise<StateResponse> {
    return new Promise((resolve, reject) =>
      client.State({ prefix: "/p/" }, metadata, { deadline: Date.now() + 5_000 }, (e, r) =>
        e ? reject(e) : resolve(r!),
      ),
    );
  }
  const unauthenticated = (error: unknown): boolean => {
    const e = error as grpc.ServiceError;
    assert.equal(e.code, grpc.status.UNAUTHENTICATED);
    assert.ok(!e.details.includes(TOKEN) && !e.details.includes("wrong-token"), "the token is not echoed");
    return true;
  };

  it("refuses a Refresh without a token with UNAUTHENTICATED and runs no handler", async () => {
    await assert.rejects(refresh(new grpc.Metadata()), unauthenticated);
    assert.deepEqual(handled, []);
    assert.deepEqual(refused, ["Refresh"]);
  });

  it("refuses a Refresh with a wrong token with UNAUTHENTICATED and runs no handler", async () => {
    await assert.rejects(refresh(refreshTokenMetadata("wrong-token")), unauthenticated);
    assert.deepEqual(handled, []);
  });

  it("refuses a State call without the token too", async () => {
    await assert.rejects(state(refreshTokenMetadata("wrong-token")), unauthenticated);
    assert.deepEqual(handled, []);
    assert.deepEqual(refused, ["State"]);
  });

  it("runs the handler and returns its answer for the right token", async () => {
    const response = await refresh(refreshTokenMetadata(TOKEN));
    assert.deepEqual(
      response.results.map((r) => [r.name, r.outcome, r.version]),
      [["/p/x", "ACK", 4]],
    );
    assert.deepEqual(handled, ["Refresh"]);
  });

  it("accepts the previous token while a rotation is in progress", async () => {
    const answer = await state(refreshTokenMetadata(PREVIOUS));
    assert.deepEqual(
      answer.parameters.map((p) => [p.name, p.version]),
      [["/p/x", 3]],
    );
    assert.equal(answer.lastStreamId, "5-0");
  });

  it("answers INTERNAL when the handler throws", async () => {
    failNext = true;
    await assert.rejects(
      refresh(refreshTokenMetadata(TOKEN)),
      (error: grpc.ServiceError) => error.code === grpc.status.INTERNAL && /cannot apply now/.test(error.details),
    );
  });
});
