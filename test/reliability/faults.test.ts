import { strict as assert } from "node:assert";
import { DeregisterInstanceCommand } from "@aws-sdk/client-servicediscovery";
import { GetQueueAttributesCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { main } from "../../runtime/cli/main";
import { QueueInvoker } from "../../runtime/local";
import type { RefreshHandler } from "../../runtime/lambda";
import { compareStreamIds } from "../../runtime/client/stream/streamIds";
import { callState, readCurrentVersions } from "../../runtime/operator/fleet/fleetState";
import { streamKeys, type AckMessage } from "../../runtime/protocol";
import { captureOutput } from "../runtime/cli/captureOutput";
import { TcpProxy } from "../runtime/client/support/tcpProxy";
import { isRunning } from "../runtime/local/support/processes";
import { waitUntil } from "../../runtime/local/servers";
import { writeChanges } from "./support/changes";
import {
  acksAfter,
  auditAcks,
  lookAtFleet,
  VersionMonitor,
  waitForConvergence,
  type AckAudit,
} from "./support/observe";
import { CapturingLogger, countingSsm, ReliabilityPipeline } from "./support/pipeline";
import { convergedIn, recordScenario } from "./support/summary";
import type { WorkerHandle } from "./support/workerFleet";
import type { WorkerStats } from "./support/workerProtocol";

/** The handler's stream MAXLEN here (the deployed default is 10,000): small, so a slow reader can be trimmed past. */
const STREAM_MAXLEN = 40;
/** Generous bound on every convergence: it only catches a hang. */
const CONVERGE_DEADLINE_MS = 45_000;
const RESET_RELOAD_WINDOW_MS = 1_000;
/** The handler's Refresh deadline and retries (the deployed defaults). */
const RPC_DEADLINE_MS = 2_000;
const RPC_RETRIES = 1;

describe("faults: the whole local pipeline (moto, own redis-server, relay → EventBridge rule → SQS → invoker → real handler → stream + gRPC) with real instance processes", function () {
  this.timeout(60_000);
  let env: ReliabilityPipeline;
  let proxy: TcpProxy;
  let handler: RefreshHandler;
  let handlerLog: CapturingLogger;
  let invoker: QueueInvoker | undefined;
  let admin: Redis;
  /** Registered in Cloud Map, serving Refresh, reading the stream. */
  let registered: WorkerHandle[];
  /** Reading the stream only. */
  let readers: WorkerHandle[];
  /** What the `config-refresh` commands printed. */
  const cliOutput: string[] = [];

  /** Restarts the queue's poller with these retries (EventBridge's and Lambda's, which moto does not apply). */
  async function useInvoker(options: { maxAttempts: number; retryDelayMs: number }): Promise<QueueInvoker> {
    // stop() lets the poll in flight end and hands back what it received, so the next poller sees every message.
    if (invoker) await invoker.stop();
    const { rule, clients, connection } = env.pipeline;
    invoker = new QueueInvoker({
      sqs: clients.sqs,
      queueUrl: rule.queueUrl,
      queueArn: rule.queueArn,
      deadLetterQueueUrl: rule.deadLetterQueueUrl,
      region: connection.region ?? "us-east-1",
      handler,
      waitTimeSeconds: 1,
      ...options,
    });
    invoker.start();
    return invoker;
  }

  /** The test's redis-server keeps stream nodes small, so `MAXLEN ~ 40` trims close to 40 (default nodes hold 100 entries). */
  async function tuneRedis(): Promise<void> {
    await admin.config("SET", "stream-node-max-entries", "10");
  }

  async function deadLetters(): Promise<number> {
    const { Attributes } = await env.pipeline.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: env.pipeline.rule.deadLetterQueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  async function allStats(workers: readonly WorkerHandle[]): Promise<Map<string, WorkerStats>> {
    return new Map(
      await Promise.all(workers.map(async (worker) => [worker.instanceId, await worker.stats()] as const)),
    );
  }

  /** Crashes so far: workers that died unasked, example services no longer running. */
  function crashes(): string[] {
    return [
      ...env.workers.crashes(),
      ...env.pipeline.fleet.instances
        .filter((instance) => !isRunning(instance.pid))
        .map((instance) => `${instance.instanceId} (pid ${instance.pid}) is gone`),
    ];
  }

  function keysOf(scenario: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => `reliability/${scenario}/k${i}`);
  }

  /** Runs `fault` while watching versions and acks; returns what was watched. */
  async function watched<T>(
    fault: (monitor: VersionMonitor) => Promise<T>,
  ): Promise<{ value: T; monitor: VersionMonitor; acks: AckAudit; ackList: AckMessage[] }> {
    const cursor = await env.pipeline.latestAckId();
    const monitor = new VersionMonitor(env, () => readers);
    monitor.start();
    try {
      const value = await fault(monitor);
      const ackList = await acksAfter(env, cursor);
      return { value, monitor, acks: auditAcks(ackList), ackList };
    } finally {
      await monitor.stop();
    }
  }

  before(async function () {
    this.timeout(120_000);
    env = await ReliabilityPipeline.start({ instances: 2, invoker: { waitTimeSeconds: 1 } });
    await env.pipeline.invoker.stop();
    // The handler reaches SSM through a relay the tests can cut: "SSM endpoint down" for the handler only.
    proxy = await TcpProxy.start(env.pipeline.servers.moto!.port);
    handlerLog = new CapturingLogger();
    handler = env.handler({
      ssm: countingSsm(env.pipeline, `http://127.0.0.1:${proxy.port}`, 2).ssm,
      logger: handlerLog,
      environment: {
        streamMaxLength: String(STREAM_MAXLEN),
        rpcDeadlineMs: String(RPC_DEADLINE_MS),
        rpcRetries: String(RPC_RETRIES),
      },
    });
    await useInvoker({ maxAttempts: 6, retryDelayMs: 150 });
    admin = new Redis(env.pipeline.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    admin.on("error", () => undefined);
    await tuneRedis();
    // The convergence after a flush or a failover is measured: the reset's reload is spread over a short window.
    const timing = { blockMs: 1_000, resetReloadWindowMs: RESET_RELOAD_WINDOW_MS };
    registered = await env.workers.startAll(
      [1, 2, 3].map((n) => env.workerSettings(`fault-${n}`, timing)),
      3,
    );
    readers = await env.workers.startAll(
      ["reader-slow", "reader-paused"].map((id) => env.workerSettings(id, { ...timing, streamOnly: true })),
      2,
    );
    const { ms } = await waitForConvergence(env, {
      since: Date.now(),
      deadlineMs: CONVERGE_DEADLINE_MS,
      streamOnly: readers,
    });
    assert.notEqual(ms, undefined, "the fleet starts converged");
  });

  after(async function () {
    this.timeout(60_000);
    for (const worker of env?.workers.workers ?? []) worker.resume();
    await invoker?.stop();
    await proxy?.close();
    admin?.disconnect();
    await env?.stop();
    if (env) assert.deepEqual(env.leftRunning(), [], "every process the scenarios started has stopped");
  });

  describe("a stream reader paused (SIGSTOP) while changes are published", () => {
    it("catches up from its last stream id after SIGCONT; one whose position was trimmed away meanwhile reloads everything; both converge", async () => {
      const [slow, paused] = readers as [WorkerHandle, WorkerHandle];
      const keys = keysOf("trim", 8);
      const before = await allStats(readers);
      const {
        value: outcome,
        monitor,
        acks,
      } = await watched(async (monitor) => {
        slow.pause();
        await writeChanges(env, { keys, count: 3 * STREAM_MAXLEN, concurrency: 4, tag: "trim" });
        // The fault really happened: the entries right after the slow reader's position are gone.
        const [first] = await admin.xrange(streamKeys(env.pipeline.names.streamKey).stream, "-", "+", "COUNT", 1);
        const trimmedPast =
          first !== undefined && compareStreamIds(first[0], before.get(slow.instanceId)!.lastStreamId) > 0;
        paused.pause();
        await writeChanges(env, { keys, count: 6, tag: "paused" });
        const since = Date.now();
        slow.resume();
        paused.resume();
        return {
          trimmedPast,
          ...(await waitForConvergence(env, { since, deadlineMs: CONVERGE_DEADLINE_MS, streamOnly: readers, monitor })),
        };
      });
      const after = await allStats(readers);
      const delta = (id: string, metric: keyof WorkerStats["metrics"]): number =>
        after.get(id)!.metrics[metric] - before.get(id)!.metrics[metric];
      recordScenario({
        scenario: "stream trimmed past a paused reader",
        injected: `SIGSTOP 1 reader, ${3 * STREAM_MAXLEN} changes (MAXLEN ~${STREAM_MAXLEN}), SIGSTOP a 2nd, 6 more, SIGCONT`,
        changesLost: outcome.look.divergent.size,
        versionsRegressed: monitor.regressions.length + acks.regressions.length,
        crashes: crashes().length,
        converge: `${convergedIn(outcome.ms)} after SIGCONT`,
        notes: `trimmed reader: ${delta(slow.instanceId, "trimmedReloads")} full reload; paused reader: ${delta(paused.instanceId, "reloads")} reloads, read on from its id`,
      });
      assert.ok(outcome.trimmedPast, "the stream was trimmed past the slow reader's last id");
      assert.notEqual(outcome.ms, undefined, `converged: ${JSON.stringify([...outcome.look.divergent])}`);
      assert.ok(delta(slow.instanceId, "trimmedReloads") >= 1, "the trimmed reader noticed and reloaded everything");
      assert.equal(
        delta(paused.instanceId, "reloads"),
        0,
        "the paused reader's position was still on the stream: no reload",
      );
      assert.ok(delta(paused.instanceId, "applied") >= keys.length, "it applied the changes from the stream");
      assert.deepEqual(monitor.regressions, []);
      assert.deepEqual(
        [acks.appliedTwice, acks.regressions],
        [[], []],
        "no version applied twice, none lower after a higher one",
      );
      assert.deepEqual(crashes(), []);
    });
  });

  /**
   * How Redis goes away and comes back, while changes keep coming:
   * - `kept`: stopped (SIGTERM, with a save point: a final snapshot) and started with all its data;
   * - `older`: started again from a snapshot taken a few publications earlier (a crash of a Redis
   *   with RDB persistence): instances have read past the stream's end;
   * - `empty`: killed (SIGKILL) and started with nothing (a replaced node).
   */
  const REDIS_FAULTS = [
    { kind: "kept", label: "stopped and started again with its data", expect: "without a fleet-wide reload" },
    { kind: "older", label: "restarted from an older snapshot", expect: "nothing lost or applied twice" },
    {
      kind: "empty",
      label: "killed (SIGKILL) and started again empty",
      expect: "each instance reloading once for the new stream",
    },
  ] as const;

  async function breakRedis(kind: (typeof REDIS_FAULTS)[number]["kind"]): Promise<{ down: number; up: number }> {
    const redis = env.pipeline.servers.redis!;
    const stream = streamKeys(env.pipeline.names.streamKey).stream;
    if (kind === "older") {
      // The keys as a snapshot has them now; once more publications landed, Redis goes back to them.
      const keys = streamKeys(env.pipeline.names.streamKey);
      const snapshot = await Promise.all(
        [keys.stream, keys.published, keys.epoch].map(async (key) => [key, await admin.dumpBuffer(key)] as const),
      );
      const added = async (): Promise<number> => {
        const info = (await admin.xinfo("STREAM", stream)) as unknown[];
        return Number(info[info.indexOf("entries-added") + 1]);
      };
      const atSnapshot = await added();
      await until("3 more publications after the snapshot", async () => (await added()) >= atSnapshot + 3, 10_000);
      for (const [key, dump] of snapshot) if (dump) await admin.restore(key, 0, dump, "REPLACE");
    }
    if (kind === "empty") await redis.kill();
    await redis.stop({ save: kind !== "empty" });
    const down = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.launch();
    const up = Date.now();
    await tuneRedis();
    return { down, up };
  }

  for (const fault of REDIS_FAULTS) {
    describe(`Redis ${fault.label} while changes keep coming`, () => {
      it(`converges every instance to SSM's final versions, ${fault.expect}`, async function () {
        this.timeout(90_000);
        const keys = keysOf(`redis-${fault.kind}`, 6);
        const workers = [...registered, ...readers];
        const before = await allStats(workers);
        const firstRecord = invoker!.records.length;
        const dlqBefore = await deadLetters();
        let outage = { down: 0, up: 0 };
        const {
          value: outcome,
          monitor,
          acks,
        } = await watched(async (monitor) => {
          let restarting: Promise<void> | undefined;
          const written = await writeChanges(env, {
            keys,
            count: 30,
            concurrency: 2,
            tag: `redis-${fault.kind}`,
            beforeWrite: (index) => {
              // Not awaited: the writes go on while Redis is down.
              if (index !== 8) return;
              restarting = breakRedis(fault.kind).then((times) => {
                outage = times;
              });
              restarting.catch(() => undefined);
            },
          });
          await restarting;
          const since = Math.max(...written.map((w) => w.writtenAt));
          return {
            written,
            ...(await waitForConvergence(env, {
              since,
              deadlineMs: CONVERGE_DEADLINE_MS,
              streamOnly: readers,
              monitor,
            })),
          };
        });
        env.startedPids();
        // A new stream's reload falls at a random point of the workers' reset window: give it that long.
        if (fault.kind === "empty") {
          const reloadedAll = async () => {
            const now = await allStats(workers);
            return workers.every(
              (w) =>
                now.get(w.instanceId)!.metrics.recreatedReloads > before.get(w.instanceId)!.metrics.recreatedReloads,
            );
          };
          await waitUntil("every instance reloaded for the new stream", reloadedAll, 10_000, 100).catch(
            () => undefined,
          );
        }
        const after = await allStats(workers);
        const records = invoker!.records.slice(firstRecord);
        const retried = records.filter((r) => r.attempts > 1).length;
        const deadLettered = records.filter((r) => r.outcome === "dead-lettered").length;
        const recreated = workers.map(
          (w) => after.get(w.instanceId)!.metrics.recreatedReloads - before.get(w.instanceId)!.metrics.recreatedReloads,
        );
        recordScenario({
          scenario: `Redis ${fault.kind === "kept" ? "restarted with its data" : fault.kind === "older" ? "back from an older snapshot" : "killed, back empty"}`,
          injected: `${fault.kind === "kept" ? "SIGTERM, final snapshot" : fault.kind === "older" ? "back to a snapshot 3+ publications old" : "SIGKILL, no data"}: down ${((outage.up - outage.down) / 1000).toFixed(1)} s amid 30 writes`,
          changesLost: outcome.look.divergent.size,
          versionsRegressed: monitor.regressions.length + acks.regressions.length,
          crashes: crashes().length,
          converge: `${convergedIn(outcome.ms)} after the last write`,
          notes: `${retried} batch${retried === 1 ? "" : "es"} retried, ${deadLettered} dead-lettered; ${recreated.filter((n) => n > 0).length}/${workers.length} workers reloaded for a new stream; ${acks.appliedTwice.length} applied twice, ${acks.resent.length} acks resent`,
        });
        assert.notEqual(outcome.ms, undefined, `converged: ${JSON.stringify([...outcome.look.divergent])}`);
        assert.ok(retried >= 1, "the handler failed while Redis was down and its batches were retried");
        assert.equal(
          await deadLetters(),
          dlqBefore + deadLettered,
          "whatever was not retried in time is in the DLQ, not lost",
        );
        if (fault.kind === "kept")
          assert.deepEqual(
            recreated,
            workers.map(() => 0),
            "the stream survived whole: no instance reloaded everything",
          );
        // An older stream is noticed only by an instance that checks before newer entries outnumber the lost ones
        // (then it reads on from its id, having read the lost entries): convergence is what must hold, the count is reported.
        if (fault.kind === "empty")
          assert.ok(
            recreated.every((n) => n >= 1),
            `every instance saw the new stream and reloaded: ${recreated.join(",")}`,
          );
        assert.deepEqual(monitor.regressions, []);
        assert.deepEqual(
          [acks.appliedTwice, acks.regressions],
          [[], []],
          "no version applied twice, none lower after a higher one",
        );
        assert.deepEqual(crashes(), []);
      });
    });
  }

  describe("an instance down while a change is made", () => {
    it("holds the final values right after it starts again (its State matches SSM on the first call after the ready line)", async function () {
      this.timeout(90_000);
      const fleet = env.pipeline.fleet;
      const down = fleet.instances[1]!;
      const keys = keysOf("down", 3);
      const {
        value: outcome,
        monitor,
        acks,
      } = await watched(async (monitor) => {
        await fleet.stopInstance(down.instanceId);
        const written = await writeChanges(env, { keys, count: 6, tag: "while-down" });
        const others = await waitForConvergence(env, {
          since: Math.max(...written.map((w) => w.writtenAt)),
          deadlineMs: CONVERGE_DEADLINE_MS,
          streamOnly: readers,
          monitor,
        });
        const startedAt = Date.now();
        const back = await fleet.startInstance(down.instanceId);
        const readyMs = Date.now() - startedAt;
        const [state, current] = await Promise.all([
          callState(back.refreshAddress, env.pipeline.refreshToken, env.prefix, 5_000),
          readCurrentVersions(env.pipeline.clients.ssm, env.prefix),
        ]);
        env.startedPids();
        return { others, readyMs, held: new Map(state.parameters.map((p) => [p.name, Number(p.version)])), current };
      });
      const wrong = [...outcome.current]
        .filter(([name, version]) => outcome.held.get(name) !== version)
        .map(([name, version]) => `${name} ${outcome.held.get(name)}≠${version}`);
      recordScenario({
        scenario: "instance down during changes",
        injected: "SIGTERM 1 example service, 6 changes, start it again",
        changesLost: wrong.length,
        versionsRegressed: monitor.regressions.length + acks.regressions.length,
        crashes: crashes().length,
        converge: `at start (${convergedIn(outcome.readyMs)} to ready)`,
        notes: `others converged ${convergedIn(outcome.others.ms)} after the last write; first State call after ready = SSM`,
      });
      assert.notEqual(outcome.others.ms, undefined);
      assert.deepEqual(wrong, [], "the restarted instance holds SSM's current versions at once");
      for (const key of keys) assert.ok(outcome.held.has(env.prefix + key));
      assert.deepEqual(monitor.regressions, []);
      assert.deepEqual(
        [acks.appliedTwice, acks.regressions],
        [[], []],
        "no version applied twice, none lower after a higher one",
      );
      assert.deepEqual(crashes(), []);
    });
  });

  describe("the handler failing because SSM is unreachable for it", () => {
    it("retries or dead-letters the events; `config-refresh dlq replay` converges the fleet; nothing is applied twice and no version goes back", async function () {
      this.timeout(120_000);
      await env.pipeline.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: env.pipeline.rule.deadLetterQueueUrl }));
      const keys = keysOf("ssm-down", 3);
      // Every key exists and is converged first, so what follows is only updates.
      await writeChanges(env, { keys, count: keys.length, tag: "initial" });
      assert.notEqual(
        (await waitForConvergence(env, { since: Date.now(), deadlineMs: CONVERGE_DEADLINE_MS, streamOnly: readers }))
          .ms,
        undefined,
      );
      const failures = (): number => handlerLog.lines.filter((line) => line.includes("refresh failed")).length;
      const dlqScenario = async (monitor: VersionMonitor) => {
        // Phase 1: SSM unreachable longer than the retries: every batch ends in the DLQ.
        const fastInvoker = await useInvoker({ maxAttempts: 2, retryDelayMs: 100 });
        proxy.cut();
        const down = await writeChanges(env, { keys, count: 6, tag: "ssm-down" });
        await until("the 6 events are dead-lettered", async () => (await deadLetters()) >= 6, 30_000).catch(
          (error: Error) => {
            throw new Error(
              `${error.message}: DLQ ${JSON.stringify(fastInvoker.records.map((r) => [r.outcome, r.attempts, r.error, r.messageIds.length]))}\n${handlerLog.lines.slice(-10).join("\n")}`,
            );
          },
        );
        // Phase 2: SSM comes back while a batch is between retries: it succeeds on a later attempt.
        const patientInvoker = await useInvoker({ maxAttempts: 8, retryDelayMs: 200 });
        const failuresBefore = failures();
        const retriedWrite = await env.pipeline.writeParameter(keys[0]!, "after-outage", { type: "String" });
        await until("the handler failed on it at least once", async () => failures() > failuresBefore, 15_000);
        proxy.restore();
        const retried = await patientInvoker.waitFor(
          (record) =>
            record.outcome === "succeeded" &&
            (record.result?.published.some((c) => c.name === retriedWrite.name && c.version === retriedWrite.version) ??
              false),
          30_000,
        );
        const deadLettered = fastInvoker.records.filter((record) => record.outcome === "dead-lettered").length;
        // Before the replay: only the names whose latest change is in the DLQ differ.
        const beforeReplay = await lookAtFleet(env, readers);
        monitor.record(beforeReplay.held);
        const since = Date.now();
        const out = captureOutput();
        const code = await main(
          [
            "dlq",
            "replay",
            "--aws-endpoint",
            env.pipeline.connection.endpoint!,
            "--region",
            env.pipeline.connection.region ?? "us-east-1",
            "--prefix",
            env.prefix,
            "--redis-url",
            env.pipeline.redisUrl,
          ],
          out,
        );
        const replayMs = Date.now() - since;
        const converged = await waitForConvergence(env, {
          since,
          deadlineMs: CONVERGE_DEADLINE_MS,
          streamOnly: readers,
          monitor,
        });
        cliOutput.push(out.text());
        const again = captureOutput();
        const againCode = await main(
          [
            "dlq",
            "replay",
            "--aws-endpoint",
            env.pipeline.connection.endpoint!,
            "--prefix",
            env.prefix,
            "--redis-url",
            env.pipeline.redisUrl,
          ],
          again,
        );
        return {
          down,
          retriedWrite,
          retried,
          deadLettered,
          beforeReplay,
          out,
          code,
          replayMs,
          converged,
          again,
          againCode,
        };
      };
      const {
        value: outcome,
        monitor,
        acks,
      } = await watched(async (monitor) => {
        try {
          return await dlqScenario(monitor);
        } finally {
          proxy.restore();
        }
      });
      await useInvoker({ maxAttempts: 6, retryDelayMs: 150 });
      const published = [...outcome.out.text().matchAll(/published ([^ ;]+) v(\d+)/g)].map((m) => `${m[1]} v${m[2]}`);
      const latestDown = new Map(outcome.down.map((w) => [w.name, w.version]));
      const stillDown = [...latestDown.keys()].filter((name) => name !== outcome.retriedWrite.name).sort();
      const divergentNames = [
        ...new Set([...outcome.beforeReplay.divergent.values()].flat().map((line) => line.split(" ")[0])),
      ].sort();
      recordScenario({
        scenario: "handler's SSM down, DLQ replay",
        injected: "SSM cut for the handler: 6 changes dead-lettered, 1 retried until SSM was back",
        changesLost: outcome.converged.look.divergent.size,
        versionsRegressed: monitor.regressions.length + acks.regressions.length,
        crashes: crashes().length,
        converge: `${convergedIn(outcome.converged.ms)} from dlq replay (replay took ${convergedIn(outcome.replayMs)})`,
        notes: `${outcome.deadLettered} batch${outcome.deadLettered === 1 ? "" : "es"} dead-lettered, retried one succeeded on attempt ${outcome.retried?.attempts}; replay published ${published.length} (the rest already current); ${acks.appliedTwice.length} applied twice, ${acks.resent.length} acks resent`,
      });
      assert.ok(outcome.retried, "the batch failing while SSM was down succeeded on a retry once it was back");
      assert.ok(outcome.retried.attempts > 1);
      assert.ok(outcome.deadLettered >= 1);
      assert.deepEqual(
        divergentNames,
        stillDown,
        "before the replay, exactly the names whose last change was dead-lettered differ",
      );
      assert.equal(outcome.code, 0, outcome.out.text());
      assert.match(outcome.out.text(), /Replayed 6 of 6 messages; the dead-letter queue holds none of them any more\./);
      // Each dead-lettered name is published once, at SSM's current version (never the event's older one).
      assert.deepEqual(published.sort(), stillDown.map((name) => `${name} v${latestDown.get(name)}`).sort());
      assert.notEqual(
        outcome.converged.ms,
        undefined,
        `converged: ${JSON.stringify([...outcome.converged.look.divergent])}`,
      );
      assert.equal(outcome.againCode, 0);
      assert.match(outcome.again.text(), /The dead-letter queue is empty: nothing to replay\./);
      assert.deepEqual(monitor.regressions, []);
      assert.deepEqual(
        [acks.appliedTwice, acks.regressions],
        [[], []],
        "no version applied twice, none lower after a higher one",
      );
      assert.deepEqual(crashes(), []);
    });
  });

  describe("Cloud Map listing instances that are gone", () => {
    it("reports a killed instance and a frozen one unreachable within the deadline; the others ACK and converge; the frozen one catches up once resumed", async function () {
      this.timeout(90_000);
      const [alive, frozen, killed] = registered as [WorkerHandle, WorkerHandle, WorkerHandle];
      const keys = keysOf("gone", 1);
      const gone = new Set([frozen.instanceId, killed.instanceId]);
      const goneScenario = async (monitor: VersionMonitor) => {
        const written = await env.pipeline.writeParameter(keys[0]!, "while-gone", { type: "String" });
        const record = await invoker!.waitFor(
          (r) => r.result?.published.some((c) => c.name === written.name && c.version === written.version) ?? false,
          30_000,
        );
        const others = await waitForConvergence(env, {
          since: written.writtenAt,
          deadlineMs: CONVERGE_DEADLINE_MS,
          streamOnly: readers,
          skip: gone,
          monitor,
        });
        const resumedAt = Date.now();
        frozen.resume();
        const all = await waitForConvergence(env, {
          since: resumedAt,
          deadlineMs: CONVERGE_DEADLINE_MS,
          streamOnly: readers,
          skip: new Set([killed.instanceId]),
          monitor,
        });
        return { written, record, others, all };
      };
      const {
        value: outcome,
        monitor,
        acks,
        ackList,
      } = await watched(async (monitor) => {
        await killed.kill();
        frozen.pause();
        try {
          return await goneScenario(monitor);
        } finally {
          frozen.resume();
        }
      });
      await env.pipeline.clients.serviceDiscovery.send(
        new DeregisterInstanceCommand({ ServiceId: env.pipeline.registry.serviceId, InstanceId: killed.instanceId }),
      );
      const instances = outcome.record?.result?.instances ?? [];
      const of = (id: string) => instances.find((i) => i.instanceId === id);
      const bound = RPC_DEADLINE_MS * (RPC_RETRIES + 1) + 1_000;
      // When the others applied it, from their acks (the State polls above wait on the frozen instance).
      const appliedAt = ackList
        .filter(
          (a) => a.name === outcome.written.name && a.version === outcome.written.version && !gone.has(a.instanceId),
        )
        .map((a) => a.appliedAt);
      const othersMs = appliedAt.length > 0 ? Math.max(...appliedAt) - outcome.written.writtenAt : undefined;
      recordScenario({
        scenario: "Cloud Map lists gone instances",
        injected: "SIGKILL 1 registered instance, SIGSTOP another, 1 change",
        changesLost: outcome.all.look.divergent.size,
        versionsRegressed: monitor.regressions.length + acks.regressions.length,
        crashes: crashes().length,
        converge: `others ${convergedIn(othersMs)}; frozen one ${convergedIn(outcome.all.ms)} after SIGCONT`,
        notes: `killed: ${of(killed.instanceId)?.error?.split(":")[0]} in ${of(killed.instanceId)?.latencyMs} ms; frozen: ${of(frozen.instanceId)?.error?.split(":")[0]} in ${of(frozen.instanceId)?.latencyMs} ms (deadline ${RPC_DEADLINE_MS} ms × ${RPC_RETRIES + 1}); invocation ${outcome.record ? outcome.record.finishedAt - outcome.record.startedAt : "-"} ms`,
      });
      assert.ok(outcome.record, "the change was handled");
      assert.equal(of(killed.instanceId)?.outcome, "unreachable");
      assert.match(of(killed.instanceId)?.error ?? "", /^UNAVAILABLE/);
      assert.equal(of(frozen.instanceId)?.outcome, "unreachable");
      assert.match(of(frozen.instanceId)?.error ?? "", /^DEADLINE_EXCEEDED/);
      for (const id of gone)
        assert.ok(
          of(id)!.latencyMs <= bound,
          `${id} was given up on within its deadline (${of(id)!.latencyMs} ms ≤ ${bound} ms)`,
        );
      const healthy = instances.filter((i) => !gone.has(i.instanceId));
      assert.deepEqual(
        healthy.map((i) => i.outcome),
        healthy.map(() => "ACK"),
        "every other instance acknowledged",
      );
      assert.ok(healthy.some((i) => i.instanceId === alive.instanceId));
      assert.ok(
        outcome.record!.finishedAt - outcome.record!.startedAt <= bound + 2_000,
        "one slow instance costs the invocation its own deadline, no more",
      );
      assert.notEqual(outcome.others.ms, undefined);
      assert.notEqual(outcome.all.ms, undefined, "the frozen instance caught up from the stream after SIGCONT");
      assert.deepEqual(monitor.regressions, []);
      assert.deepEqual(
        [acks.appliedTwice, acks.regressions],
        [[], []],
        "no version applied twice, none lower after a higher one",
      );
      assert.deepEqual(crashes(), [], "only the instance the test killed is gone");
    });
  });

  describe("the refresh token", () => {
    it("appears in no log line of the workers, the handler or the commands during the fault scenarios", () => {
      const token = env.pipeline.refreshToken;
      const sources: [string, string[]][] = [
        ["workers", env.workers.logLines],
        ["handler", handlerLog.lines],
        ["config-refresh", cliOutput],
      ];
      assert.deepEqual(
        sources.filter(([, lines]) => lines.some((line) => line.includes(token))).map(([source]) => source),
        [],
      );
      assert.ok(
        env.workers.logLines.length > 0 && handlerLog.lines.length > 0 && cliOutput.length > 0,
        "every source was captured",
      );
    });
  });
});

/** Polls `probe` every 100 ms until true; fails naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
