import { strict as assert } from "node:assert";
import cryptoModule = require("node:crypto");
import { performance } from "node:perf_hooks";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { Redis } from "ioredis";
import type { RefreshHandler, RefreshResult } from "../../runtime/lambda";
import { seedLocalSecrets } from "../../runtime/local";
import { callState } from "../../runtime/operator/fleet/fleetState";
import { formatDuration, quantile } from "../../runtime/operator/format/textTable";
import {
  createRefreshClient,
  hasRefreshToken,
  refreshTokenMetadata,
  startRefreshServer,
  streamKeys,
  type RefreshRequest,
  type RefreshResponse,
  type StateResponse,
  type WireParameterChange,
} from "../../runtime/protocol";
import { changeEvent } from "../runtime/lambda/support/events";
import { startServiceProcess, type ServiceProcess } from "../runtime/client/support/serviceProcess";
import { isRunning } from "../runtime/local/support/processes";
import { fuzzStreamEntry, fuzzWireChange, garbage, type StreamVerdict } from "./support/fuzz";
import { CapturingLogger, countingSsm, ReliabilityPipeline } from "./support/pipeline";
import { Draw, scenarioRandom } from "./support/seed";
import { recordScenario } from "./support/summary";
import type { WorkerHandle } from "./support/workerFleet";
import type { WorkerStats } from "./support/workerProtocol";

const REFRESH_METHOD = "/configrefresh.v1.ConfigRefresh/Refresh";

describe("bad input and security: hostile stream entries and Refresh calls, schema and size limits, tokens (own moto + redis-server, real gRPC on 127.0.0.1, real instance processes)", function () {
  this.timeout(60_000);
  let env: ReliabilityPipeline;
  let handler: RefreshHandler;
  let handlerLog: CapturingLogger;
  let handlerCalls: Record<string, number>;
  /** Registered in Cloud Map, serving Refresh (schema "guarded"). */
  let rpcWorker: WorkerHandle;
  /** Reading the stream only (schema "guarded"). */
  let streamWorker: WorkerHandle;
  /** The example service: a real service process, every output line kept. */
  let service: ServiceProcess;
  let serviceAddress: string;
  let admin: Redis;
  let token: string;
  /** The refresh token of another environment's pipeline (staging), in the same account. */
  let stagingToken: string;
  /** Every token presented that is not the right one. */
  const presented: string[] = [];

  const name = (key: string): string => env.prefix + key;

  /** Writes a parameter and hands its change event to the real handler (as EventBridge would). */
  async function change(
    key: string,
    value: string,
    extra: Partial<{ Tier: "Standard" | "Advanced" }> = {},
  ): Promise<{ version: number; result: RefreshResult }> {
    const put = await env.pipeline.clients.ssm.send(
      new PutParameterCommand({ Name: name(key), Value: value, Type: "String", Overwrite: true, ...extra }),
    );
    return { version: put.Version ?? 0, result: await handler(changeEvent(name(key), "Update")) };
  }

  function call<T>(
    method: "Refresh" | "State",
    address: string,
    request: unknown,
    metadata: Metadata,
    deadlineMs = 10_000,
  ): Promise<T> {
    const client = createRefreshClient(address);
    return new Promise<T>((resolve, reject) => {
      const done = (error: ServiceError | null, response?: unknown): void =>
        error ? reject(error) : resolve(response as T);
      if (method === "Refresh")
        client.Refresh(request as RefreshRequest, metadata, { deadline: Date.now() + deadlineMs }, done);
      else client.State(request as { prefix: string }, metadata, { deadline: Date.now() + deadlineMs }, done);
    }).finally(() => client.close());
  }

  /** Sends raw bytes as a Refresh request (no protobuf encoding on this side). */
  function rawRefresh(address: string, bytes: Buffer): Promise<{ code: number; details: string }> {
    const client = createRefreshClient(address, undefined, { "grpc.max_send_message_length": 64 * 1024 * 1024 });
    return new Promise<{ code: number; details: string }>((resolve) => {
      client.makeUnaryRequest(
        REFRESH_METHOD,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        refreshTokenMetadata(token),
        { deadline: Date.now() + 10_000 },
        (error) => resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: "" }),
      );
    }).finally(() => client.close());
  }

  function withAuthorization(value: string): Metadata {
    const metadata = new Metadata();
    metadata.set("authorization", value);
    return metadata;
  }

  async function serviceHeld(): Promise<Map<string, number>> {
    const state = await callState(serviceAddress, token, env.prefix, 5_000);
    return new Map(state.parameters.map((p) => [p.name, Number(p.version)]));
  }

  before(async function () {
    this.timeout(120_000);
    env = await ReliabilityPipeline.start({ invoker: { waitTimeSeconds: 1 } });
    await env.pipeline.invoker.stop();
    token = env.pipeline.refreshToken;
    const counted = countingSsm(env.pipeline);
    handlerCalls = counted.calls;
    handlerLog = new CapturingLogger();
    handler = env.handler({ ssm: counted.ssm, logger: handlerLog });
    const ssm = env.pipeline.clients.ssm;
    for (const [key, value] of [
      ["guarded/level", "info"],
      ["guarded/limit", "10"],
      ["log_level", "debug"],
    ]) {
      await ssm.send(new PutParameterCommand({ Name: name(key!), Value: value!, Type: "String", Overwrite: true }));
    }
    stagingToken = (await seedLocalSecrets(ssm, [], "/config-refresh/shop/staging/refresh-token")).refreshToken;
    [rpcWorker, streamWorker] = (await env.workers.startAll(
      [
        env.workerSettings("guard-rpc", { schema: "guarded", blockMs: 500 }),
        env.workerSettings("guard-stream", { schema: "guarded", blockMs: 500, streamOnly: true }),
      ],
      2,
    )) as [WorkerHandle, WorkerHandle];
    const { connection, redisUrl, registry } = env.pipeline;
    service = startServiceProcess(
      [
        "--parameter-path",
        env.prefix,
        "--http-port",
        "0",
        "--http-host",
        "127.0.0.1",
        "--refresh-port",
        "0",
        "--refresh-host",
        "127.0.0.1",
        "--cloud-map-service-id",
        registry.serviceId,
        "--instance-id",
        "shop-secure",
        "--instance-address",
        "127.0.0.1",
      ],
      {
        CONFIG_REDIS_URL: redisUrl,
        CONFIG_STREAM_KEY: env.pipeline.names.streamKey,
        AWS_REGION: connection.region ?? "us-east-1",
        AWS_ENDPOINT_URL: connection.endpoint!,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        REFRESH_TOKEN: token,
      },
    );
    const ready = await service.ready;
    serviceAddress = `127.0.0.1:${ready.refreshPort}`;
    admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    admin.on("error", () => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    if (service && service.child.exitCode === null) {
      service.child.kill("SIGTERM");
      await Promise.race([service.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      service.kill();
    }
    admin?.disconnect();
    await env?.stop();
    if (env) assert.deepEqual(env.leftRunning(), [], "every process the scenarios started has stopped");
    if (service?.child.pid) assert.equal(isRunning(service.child.pid), false, "the service process has stopped");
  });

  describe("fuzzed stream entries", () => {
    it("crash nothing; each is counted as the client must count it; the valid changes published between them are applied", async function () {
      this.timeout(120_000);
      const { seed, random } = scenarioRandom("stream fuzz");
      const draw = new Draw(random);
      const workers = [rpcWorker, streamWorker];
      const before = new Map(await Promise.all(workers.map(async (w) => [w.instanceId, await w.stats()] as const)));
      const skipLines = (): number =>
        service
          .stderr()
          .split("\n")
          .filter((line) => line.includes("config client: entry-skipped")).length;
      const serviceSkippedBefore = skipLines();
      const expected: Record<StreamVerdict, number> = { unsupported: 0, malformed: 0, refused: 0 };
      const mutations = new Map<string, number>();
      const stream = streamKeys(env.pipeline.names.streamKey).stream;
      const t0 = Date.now();
      let lastLimit = { version: 0, value: "" };
      const ENTRIES = 150;
      for (let i = 0; i < ENTRIES; i++) {
        const fuzzed = fuzzStreamEntry(
          draw,
          {
            name: name("fuzz/base"),
            operation: "Update",
            version: 1_000 + i,
            type: "String",
            value: `v${i}`,
            modifiedAt: t0 + i,
            changedAt: t0,
            publishedAt: Date.now(),
          },
          {
            outsidePrefix: draw.pick(["/shop/betamax/log_level", "/other/beta/log_level", "/shop/log_level"]),
            invalidValueFor: name("guarded/level"),
          },
        );
        await admin.xadd(stream, "*", ...fuzzed.fields);
        expected[fuzzed.verdict]++;
        mutations.set(fuzzed.mutation, (mutations.get(fuzzed.mutation) ?? 0) + 1);
        if (i % 15 === 7) {
          const value = String(draw.int(1, 100));
          lastLimit = { version: (await change("guarded/limit", value)).version, value };
        }
      }
      const [lastEntry] = await admin.xrevrange(stream, "+", "-", "COUNT", 1);
      const lastId = lastEntry![0];
      const skippedByService = (): number => skipLines() - serviceSkippedBefore;
      // Until the workers have read past the last entry and the service has logged as many skips as
      // it must (its log lines cross a pipe, so they may trail its reading): more would show below.
      const deadline = Date.now() + 30_000;
      let after = new Map<string, WorkerStats>();
      for (;;) {
        after = new Map(await Promise.all(workers.map(async (w) => [w.instanceId, await w.stats()] as const)));
        const done =
          [...after.values()].every((s) => s.lastStreamId === lastId) &&
          skippedByService() >= expected.unsupported + expected.malformed;
        if (done || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const delta = (id: string, metric: keyof WorkerStats["metrics"]): number =>
        after.get(id)!.metrics[metric] - before.get(id)!.metrics[metric];
      const serviceSkipped = skippedByService();
      const serviceVersions = await serviceHeld();
      recordScenario({
        scenario: "fuzzed stream entries",
        injected: `${ENTRIES} entries (seed ${seed}): ${expected.unsupported} unknown format, ${expected.malformed} malformed, ${expected.refused} refusable; ${Math.ceil(ENTRIES / 15)} valid between`,
        changesLost:
          workers.filter((w) => after.get(w.instanceId)!.held[name("guarded/limit")] !== lastLimit.version).length +
          (serviceVersions.get(name("guarded/limit")) === lastLimit.version ? 0 : 1),
        versionsRegressed: 0,
        crashes: env.workers.crashes().length + (service.child.exitCode === null ? 0 : 1),
        converge: "-",
        notes: `counted exactly on 2 workers (malformed/unsupportedFormat/rejected); service skipped ${serviceSkipped}; ${mutations.size} kinds of mutation`,
      });
      for (const worker of workers) {
        const id = worker.instanceId;
        assert.equal(after.get(id)!.lastStreamId, lastId, `${id} read past every entry`);
        assert.deepEqual(
          {
            unsupportedFormat: delta(id, "unsupportedFormat"),
            malformed: delta(id, "malformed"),
            rejected: delta(id, "rejected"),
          },
          { unsupportedFormat: expected.unsupported, malformed: expected.malformed, rejected: expected.refused },
          `${id} counted every entry as it must (mutations: ${JSON.stringify([...mutations])})`,
        );
        assert.equal(
          after.get(id)!.held[name("guarded/limit")],
          lastLimit.version,
          `${id} applied the valid changes between the bad entries`,
        );
      }
      assert.equal(
        serviceSkipped,
        expected.unsupported + expected.malformed,
        "the example service skipped (and logged) every unreadable entry",
      );
      assert.equal(serviceVersions.get(name("guarded/limit")), lastLimit.version);
      assert.deepEqual(env.workers.crashes(), []);
      assert.equal(service.child.exitCode, null, "the service process is alive");
    });
  });

  describe("fuzzed Refresh calls", () => {
    it("answer every change (ACK, or NACK with the reason it must get), survive garbage and oversized messages, and count each refusal", async function () {
      this.timeout(120_000);
      const { seed, random } = scenarioRandom("rpc fuzz");
      const draw = new Draw(random);
      const address = `127.0.0.1:${rpcWorker.refreshPort}`;
      const before = await rpcWorker.stats();
      const t0 = Date.now();
      let n = 0;
      let nacks = 0;
      let calls = 0;
      const wrong: string[] = [];
      const sentAt = [Date.now(), 0, -1, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, 2 ** 62];
      for (let c = 0; c < 40; c++) {
        const fuzzed = Array.from({ length: draw.int(1, 25) }, () => {
          n++;
          return fuzzWireChange(
            draw,
            {
              name: name("fuzz/rpc-base"),
              operation: "Update",
              version: 100_000 + n,
              type: "String",
              value: "v",
              modifiedAtMs: t0 + n,
              changedAtMs: t0,
            },
            {
              outsidePrefix: draw.pick(["/shop/betamax/x", "/other/beta/log_level"]),
              invalidValueFor: name("guarded/level"),
              freshName: () => name(`fuzz/rpc/${n}`),
            },
          );
        });
        const response = await call<RefreshResponse>(
          "Refresh",
          address,
          { changes: fuzzed.map((f) => f.change), eventId: draw.text(draw.int(0, 100)), sentAtMs: draw.pick(sentAt) },
          refreshTokenMetadata(token),
        );
        calls++;
        assert.equal(response.results.length, fuzzed.length, "one answer per change");
        response.results.forEach((result, i) => {
          const expect = fuzzed[i]!.expect;
          const got = result.outcome === "ACK" ? "ACK" : result.reason;
          if (got !== expect) wrong.push(`${fuzzed[i]!.mutation}: ${got} (${result.detail}), expected ${expect}`);
          if (result.outcome !== "ACK") nacks++;
          if (result.detail?.includes("x".repeat(100)))
            wrong.push(`a detail echoes a value: ${result.detail.slice(0, 80)}`);
        });
      }
      // One call of 5,000 bad changes.
      const big = Array.from({ length: 5_000 }, (_, i) => ({
        name: `bad-${i}`,
        operation: "Update",
        version: i,
        type: "String",
        value: "v",
        modifiedAtMs: t0,
        changedAtMs: t0,
      }));
      const bigStarted = performance.now();
      const bigResponse = await call<RefreshResponse>(
        "Refresh",
        address,
        { changes: big, eventId: "big", sentAtMs: Date.now() },
        refreshTokenMetadata(token),
        30_000,
      );
      const bigMs = performance.now() - bigStarted;
      calls++;
      nacks += bigResponse.results.filter((r) => r.outcome !== "ACK").length;
      assert.ok(bigResponse.results.every((r) => r.outcome === "NACK" && r.reason === "MALFORMED"));
      const counted = await rpcWorker.stats();
      // Bytes that are not a RefreshRequest, and one message over gRPC's 4 MB limit.
      const garbageCodes: number[] = [];
      for (let g = 0; g < 8; g++)
        garbageCodes.push((await rawRefresh(address, garbage(draw, draw.int(1, 4_000)))).code);
      const oversized = await rawRefresh(address, garbage(draw, 5 * 1024 * 1024));
      // Still serving, and still applying: a valid change afterwards goes through the whole pipeline.
      const { version } = await change("guarded/limit", String(draw.int(1, 100)));
      const after = await rpcWorker.stats();
      recordScenario({
        scenario: "fuzzed Refresh calls",
        injected: `40 calls, ${n} changes (seed ${seed}), 1 call of 5000 bad changes, 8 garbage bodies, 1 of 5 MB`,
        changesLost: after.held[name("guarded/limit")] === version ? 0 : 1,
        versionsRegressed: 0,
        crashes: env.workers.crashes().length,
        converge: "-",
        notes: `${nacks} NACKs, each with its reason and counted; 5000-change call answered in ${formatDuration(bigMs)}; garbage → ${[...new Set(garbageCodes.map((code) => status[code]))].join("/")}, 5 MB → ${status[oversized.code]}`,
      });
      assert.deepEqual(wrong, [], "every change got the answer its mutation calls for");
      assert.equal(oversized.code, status.RESOURCE_EXHAUSTED);
      assert.ok(
        garbageCodes.every((code) => code === status.OK || code === status.INTERNAL),
        `garbage answered ${garbageCodes.join(",")}`,
      );
      assert.equal(
        counted.metrics.rpcRefreshCalls - before.metrics.rpcRefreshCalls,
        calls,
        "every call was served and counted",
      );
      assert.equal(counted.metrics.rejected - before.metrics.rejected, nacks, "every refusal is counted, once");
      assert.equal(after.held[name("guarded/limit")], version, "a valid change afterwards still applies");
      assert.deepEqual(env.workers.crashes(), []);
    });
  });

  describe("values the pipeline must not carry", () => {
    it("keeps the old value when a new one fails the schema, never carries a value over 8192 bytes, and ignores names outside the prefix", async function () {
      this.timeout(60_000);
      const before = await Promise.all([rpcWorker.stats(), streamWorker.stats()]);
      const held = (stats: WorkerStats, key: string): number | undefined => stats.held[name(key)];
      // A value the instances' schema refuses (guarded/limit is 1..100): NACK, old value kept; the next valid one applies.
      const refused = await change("guarded/limit", "1000");
      const refusedAnswer = refused.result.instances.find((i) => i.instanceId === rpcWorker.instanceId);
      const accepted = await change("guarded/limit", "42");
      // At SSM's Standard limit (4096 bytes) it is carried; over the protocol's 8192 bytes (an emulator accepted it, SSM would not) it is not.
      const atLimit = await change("limits/blob", "a".repeat(4096));
      const over = await change("limits/blob", "b".repeat(8193), { Tier: "Advanced" });
      const overAnswer = over.result.instances.find((i) => i.instanceId === rpcWorker.instanceId);
      // Events for names outside the prefix (a replay tool, a forged event): nothing read, published or called.
      const ssmBefore = { ...handlerCalls };
      const outside = await handler(
        ["/shop/betamax/log_level", "/other/beta/log_level", "/shop/beta", "/shop/beta-x/y"].map((n) =>
          changeEvent(n, "Update"),
        ),
      );
      const [lastEntry] = await admin.xrevrange(streamKeys(env.pipeline.names.streamKey).stream, "+", "-", "COUNT", 1);
      const deadline = Date.now() + 20_000;
      let after = before;
      while (Date.now() < deadline) {
        after = await Promise.all([rpcWorker.stats(), streamWorker.stats()]);
        if (after.every((s) => s.lastStreamId === lastEntry![0])) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stream = after[1]!;
      recordScenario({
        scenario: "values the pipeline must not carry",
        injected: "a value failing the schema, a 4096-byte and an 8193-byte value, 4 names outside the prefix",
        changesLost: after.filter((s) => held(s, "guarded/limit") !== accepted.version).length,
        versionsRegressed: 0,
        crashes: env.workers.crashes().length,
        converge: "-",
        notes: `schema: ${refusedAnswer?.reasons?.join(",")}; 8193 bytes: ${overAnswer?.reasons?.join(",")} and stream entry skipped; outside prefix: ${outside.skipped.map((s) => s.reason).join(",")}`,
      });
      assert.equal(refusedAnswer?.outcome, "NACK");
      assert.deepEqual(refusedAnswer?.reasons, ["VALIDATION_FAILED"]);
      for (const stats of after)
        assert.equal(
          held(stats, "guarded/limit"),
          accepted.version,
          `${stats.instanceId} skipped the refused version and applied the next`,
        );
      assert.equal(stream.metrics.rejected - before[1]!.metrics.rejected, 1, "the stream reader refused it too, once");
      assert.equal(overAnswer?.outcome, "NACK");
      assert.deepEqual(overAnswer?.reasons, ["MALFORMED"]);
      for (const stats of after)
        assert.equal(
          held(stats, "limits/blob"),
          atLimit.version,
          `${stats.instanceId} holds the 4096-byte value, not the 8193-byte one`,
        );
      assert.equal(
        stream.metrics.malformed - before[1]!.metrics.malformed,
        1,
        "the oversized stream entry was skipped and counted",
      );
      assert.deepEqual(outside.published, []);
      assert.deepEqual(outside.instances, []);
      assert.deepEqual(
        outside.skipped.map((s) => s.reason),
        ["outside-prefix", "outside-prefix", "outside-prefix", "outside-prefix"],
      );
      assert.deepEqual(handlerCalls, ssmBefore, "no SSM call for names outside the prefix");
    });
  });

  describe("refresh calls without the right token", () => {
    it("are refused UNAUTHENTICATED by a worker and by the example service, Refresh and State alike, and apply nothing", async function () {
      this.timeout(60_000);
      const { random } = scenarioRandom("tokens");
      const draw = new Draw(random);
      const changed = (t: string, i: number): string => `${t.slice(0, i)}${t[i] === "A" ? "B" : "A"}${t.slice(i + 1)}`;
      const sameShape = draw.text(token.length, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
      const attempts: [string, Metadata][] = [
        ["no token", new Metadata()],
        ["a wrong token of the same shape", withAuthorization(`Bearer ${sameShape}`)],
        ["the staging environment's token", withAuthorization(`Bearer ${stagingToken}`)],
        ["the token with its first character changed", withAuthorization(`Bearer ${changed(token, 0)}`)],
        ["the token with its last character changed", withAuthorization(`Bearer ${changed(token, token.length - 1)}`)],
        ["the token without its last character", withAuthorization(`Bearer ${token.slice(0, -1)}`)],
        ["the token and one more character", withAuthorization(`Bearer ${token}x`)],
        ["the token with a trailing space", withAuthorization(`Bearer ${token} `)],
        ["a lower-case scheme", withAuthorization(`bearer ${token}`)],
        ["another scheme", withAuthorization(`Basic ${token}`)],
        ["no scheme", withAuthorization(token)],
        ["an empty bearer", withAuthorization("Bearer ")],
        [
          "the token under another metadata key",
          ((): Metadata => {
            const metadata = new Metadata();
            metadata.set("x-refresh-token", `Bearer ${token}`);
            return metadata;
          })(),
        ],
      ];
      presented.push(sameShape, stagingToken, changed(token, 0), changed(token, token.length - 1), `${token}x`);
      // The probe is in SSM (not published otherwise), so the control below passes the instance's check against it.
      const ssm = env.pipeline.clients.ssm;
      await ssm.send(
        new PutParameterCommand({ Name: name("fuzz/token-probe"), Value: "applied", Type: "String", Overwrite: true }),
      );
      const probed = (await ssm.send(new GetParameterCommand({ Name: name("fuzz/token-probe") }))).Parameter!;
      const probe: WireParameterChange = {
        name: name("fuzz/token-probe"),
        operation: "Update",
        version: probed.Version!,
        type: "String",
        value: "applied",
        modifiedAtMs: probed.LastModifiedDate!.getTime(),
        changedAtMs: Date.now(),
      };
      const targets = [
        { id: rpcWorker.instanceId, address: `127.0.0.1:${rpcWorker.refreshPort}` },
        { id: "example service", address: serviceAddress },
      ];
      const workerBefore = await rpcWorker.stats();
      const serviceBefore = await serviceHeld();
      const outcomes: string[] = [];
      for (const target of targets) {
        for (const [label, metadata] of attempts) {
          for (const method of ["Refresh", "State"] as const) {
            const request =
              method === "Refresh" ? { changes: [probe], eventId: "forged", sentAtMs: Date.now() } : { prefix: "" };
            const code = await call(method, target.address, request, metadata).then(
              () => status.OK,
              (error: ServiceError) => error.code,
            );
            if (code !== status.UNAUTHENTICATED) outcomes.push(`${target.id} ${method} with ${label}: ${status[code]}`);
          }
        }
      }
      const workerAfter = await rpcWorker.stats();
      const serviceAfter = await serviceHeld();
      // Control: the same change with the right token is applied, so "nothing applied" above means refused, not ignored.
      const control = await call<RefreshResponse>(
        "Refresh",
        targets[0]!.address,
        { changes: [probe], eventId: "control", sentAtMs: Date.now() },
        refreshTokenMetadata(token),
      );
      const state = await call<StateResponse>(
        "State",
        targets[0]!.address,
        { prefix: env.prefix },
        refreshTokenMetadata(token),
      );
      const refusedCount = targets.length * attempts.length * 2 - outcomes.length;
      recordScenario({
        scenario: "Refresh/State without the right token",
        injected: `${attempts.length} kinds of token × Refresh and State × ${targets.length} instances`,
        changesLost: 0,
        versionsRegressed: 0,
        crashes: env.workers.crashes().length + (service.child.exitCode === null ? 0 : 1),
        converge: "-",
        notes: `${refusedCount} calls refused UNAUTHENTICATED, 0 applied; the right token applies the same change`,
      });
      assert.deepEqual(outcomes, [], "every call without the right token is refused UNAUTHENTICATED");
      assert.equal(workerAfter.metrics.applied, workerBefore.metrics.applied, "the worker applied nothing");
      assert.equal(workerAfter.metrics.rpcRefreshCalls, workerBefore.metrics.rpcRefreshCalls, "no handler ran");
      assert.equal(
        workerAfter.metrics.rpcUnauthenticated - workerBefore.metrics.rpcUnauthenticated,
        attempts.length * 2,
      );
      assert.equal(workerAfter.held[probe.name], undefined);
      assert.deepEqual(serviceAfter, serviceBefore, "the example service holds exactly what it held");
      assert.equal(control.results[0]?.outcome, "ACK");
      assert.ok(state.parameters.some((p) => p.name === probe.name));
    });

    it("is checked in constant time: SHA-256 digests compared with timingSafeEqual whatever is presented (timing spread reported, not asserted)", async () => {
      const compared: [number, number][] = [];
      const original = cryptoModule.timingSafeEqual;
      (cryptoModule as { timingSafeEqual: typeof original }).timingSafeEqual = (a, b) => {
        compared.push([(a as Buffer).length, (b as Buffer).length]);
        return original(a, b);
      };
      const server = await startRefreshServer(
        { tokens: [token], host: "127.0.0.1" },
        {
          refresh: () => ({ instanceId: "t", results: [], appliedAtMs: 0 }),
          state: () => ({ instanceId: "t", parameters: [], startedAtMs: 0, lastChangeAtMs: 0, lastStreamId: "" }),
        },
      );
      const candidates = {
        right: token,
        "same length, first char differs": `${token[0] === "A" ? "B" : "A"}${token.slice(1)}`,
        "same length, last char differs": `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
        "1 character": "x",
        "10 KB": "y".repeat(10_240),
      };
      let viaServer: number[] = [];
      try {
        for (const presentedToken of Object.values(candidates))
          hasRefreshToken(refreshTokenMetadata(presentedToken), token);
        const before = compared.length;
        await call(
          "State",
          `127.0.0.1:${server.port}`,
          { prefix: "" },
          refreshTokenMetadata(candidates["same length, first char differs"]),
        ).catch(() => undefined);
        viaServer = compared.slice(before).map(([a]) => a);
      } finally {
        (cryptoModule as { timingSafeEqual: typeof original }).timingSafeEqual = original;
        await server.stop(100);
      }
      // Timing, in this process, of the check the server runs: reported only (a shared 2-core machine is noisy).
      // Short blocks, the kinds interleaved and rotated every round, so drift and pauses hit every kind alike.
      const ROUNDS = 41;
      const PER_BLOCK = 2_000;
      const labels = Object.keys(candidates);
      const samples = new Map<string, number[]>(labels.map((label) => [label, []]));
      const metadata = Object.fromEntries(
        Object.entries(candidates).map(([label, t]) => [label, refreshTokenMetadata(t)]),
      );
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < labels.length; k++) {
          const label = labels[(round + k) % labels.length]!;
          const started = process.hrtime.bigint();
          for (let i = 0; i < PER_BLOCK; i++) hasRefreshToken(metadata[label]!, token);
          // The first round warms up.
          if (round > 0) samples.get(label)!.push(Number(process.hrtime.bigint() - started) / PER_BLOCK);
        }
      }
      const medians = Object.fromEntries([...samples].map(([label, ns]) => [label, quantile(ns, 0.5)!]));
      const sameLength = ["right", "same length, first char differs", "same length, last char differs"].map(
        (label) => medians[label]!,
      );
      const spread = (Math.max(...sameLength) - Math.min(...sameLength)) / Math.min(...sameLength);
      process.stdout.write(
        `      hasRefreshToken median ns/call: ${Object.entries(medians)
          .map(([label, ns]) => `${label} ${ns.toFixed(0)}`)
          .join(", ")}; same-length spread ${(spread * 100).toFixed(1)} %\n`,
      );
      recordScenario({
        scenario: "token compared in constant time",
        injected: "5 kinds of presented token (right, first/last char wrong, 1 char, 10 KB)",
        changesLost: 0,
        versionsRegressed: 0,
        crashes: 0,
        converge: "-",
        notes: `every check: timingSafeEqual(32-byte digest, 32-byte digest); same-length medians within ${(spread * 100).toFixed(1)} % (reported)`,
      });
      assert.deepEqual(
        compared.slice(0, Object.keys(candidates).length),
        Object.keys(candidates).map(() => [32, 32]),
        "every presented token, whatever its length, is hashed and compared as a 32-byte digest",
      );
      assert.deepEqual(viaServer, [32], "the server's check goes through the same comparison");
    });
  });

  describe("the refresh token in logs", () => {
    it("appears in no line written by the instance workers, the handler or the example service during this whole run", () => {
      const sources: [string, string[]][] = [
        ["instance workers (every level)", env.workers.logLines],
        ["refresh handler (every level)", handlerLog.lines],
        ["example service stdout and stderr", [...service.stdoutLines, ...service.stderr().split("\n")]],
      ];
      const secrets: [string, string][] = [
        ["the refresh token", token],
        ["the staging token", stagingToken],
        ...presented.map((t, i): [string, string] => [`presented token ${i + 1}`, t]),
      ];
      const leaks: string[] = [];
      for (const [source, lines] of sources) {
        for (const [label, secret] of secrets)
          if (lines.some((line) => line.includes(secret))) leaks.push(`${label} in ${source}`);
      }
      const counts = sources.map(([source, lines]) => `${lines.length} ${source.split(" (")[0]!.split(" stdout")[0]}`);
      recordScenario({
        scenario: "token never logged",
        injected: "every log line of the run (workers, handler, service) searched",
        changesLost: 0,
        versionsRegressed: 0,
        crashes: 0,
        converge: "-",
        notes: `${counts.join(", ")} lines; 0 hold a token`,
      });
      assert.deepEqual(leaks, []);
      // The capture saw the paths where a token could leak: refused calls and the handler's calls to instances.
      assert.ok(
        env.workers.logLines.some((line) => line.includes("config client: unauthenticated")),
        "the workers logged the refused calls",
      );
      assert.ok(service.stderr().includes("config client: unauthenticated"), "the service logged the refused calls");
      assert.ok(
        handlerLog.lines.some((line) => line.includes("instance acknowledged")),
        "the handler logged its calls to instances",
      );
      for (const [, lines] of sources) assert.ok(lines.length > 10, "every source wrote lines");
    });
  });
});
