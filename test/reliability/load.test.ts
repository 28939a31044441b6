import { strict as assert } from "node:assert";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { formatDuration, quantile } from "../../runtime/operator/format/textTable";
import { readCurrentVersions } from "../../runtime/operator/fleet/fleetState";
import { groupValue, keyGroups, runBurst, type BurstOutcome } from "./support/burst";
import { countingSsm, ReliabilityPipeline, totalCalls, type CallCounts } from "./support/pipeline";
import { scenarioRandom } from "./support/seed";
import { convergedIn, recordScenario } from "./support/summary";
import { cpuSeconds, type WorkerHandle } from "./support/workerFleet";
import type { WorkerStats } from "./support/workerProtocol";

const KEYS = 500;
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 20);
/** A drift-check interval no run of this test reaches (the first check falls at a random point of it). */
const DRIFT_CHECK_OUTSIDE_RUN_MS = 7 * 24 * 3_600_000;
const INSTANCES = 20;
/** The instance that reads the stream only (not registered) and is paused for part of the burst. */
const PAUSED = `load-${INSTANCES}`;
const PAUSED_ROUNDS = { from: Math.max(2, Math.round(ROUNDS * 0.3)), to: Math.max(3, Math.round(ROUNDS * 0.45)) };
/** Instances that also run a tight get() loop during the burst. */
const LOOPING = 1;
/** Generous bound that only catches a hang. */
const CONVERGE_DEADLINE_MS = 90_000;

describe(`load: a burst of ${ROUNDS * KEYS} changes over ${KEYS} keys against ${INSTANCES} instance processes (SSM writes 16 at a time; the change events delivered to the real handler in batches of up to 100, 4 invocations at a time, as an SQS event source with a batching window would, not one PutEvents + SQS round trip each)`, function () {
  this.timeout(60_000);
  let env: ReliabilityPipeline;
  let instances: WorkerHandle[];
  let groups: string[][];
  let handlerCalls: CallCounts;
  let writer: ReturnType<typeof countingSsm>;
  let burst: BurstOutcome;
  let final: Map<string, number>;
  let convergeMs: number | undefined;
  let stats: WorkerStats[] = [];
  const pausedAt: number[] = [];

  before(async function () {
    this.timeout(180_000);
    env = await ReliabilityPipeline.start({ invoker: { waitTimeSeconds: 1 } });
    // Events go straight to the handler here: the queue's poller is not needed.
    await env.pipeline.invoker.stop();
    const { random } = scenarioRandom("load");
    groups = keyGroups(KEYS, random);
    writer = countingSsm(env.pipeline);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < groups.length) {
          const group = next++;
          const keys = groups[group] as string[];
          for (let k = 0; k < keys.length; k++) {
            await writer.ssm.send(
              new PutParameterCommand({
                Name: env.prefix + keys[k],
                Value: groupValue(0, group, k),
                Type: "String",
                Overwrite: true,
              }),
            );
          }
        }
      }),
    );
    instances = await env.workers.startAll(
      Array.from({ length: INSTANCES }, (_, i) => {
        const id = `load-${i + 1}`;
        // The periodic drift check falls at a random point of its interval (an hour by default): keep it
        // past this run, so a reload counted here can only be a safety net the stream or the RPC needed.
        const settings = { groups, reloadIntervalMs: DRIFT_CHECK_OUTSIDE_RUN_MS };
        return env.workerSettings(id, { ...settings, ...(id === PAUSED ? { streamOnly: true } : {}) });
      }),
      4,
    );
  });

  after(async function () {
    this.timeout(60_000);
    writer?.ssm.destroy();
    await env?.stop();
    if (env) assert.deepEqual(env.leftRunning(), [], "every process the scenario started has stopped");
  });

  it("converges every instance to SSM's final version of every key, with no invocation failing and every change published once", async function () {
    this.timeout(CONVERGE_DEADLINE_MS + 240_000);
    const counted = countingSsm(env.pipeline);
    handlerCalls = counted.calls;
    const handler = env.handler({ ssm: counted.ssm });
    const paused = instances.find((instance) => instance.instanceId === PAUSED)!;
    await Promise.all(instances.slice(0, LOOPING).map((instance) => instance.loop(true)));
    const cpu = (): Record<string, number> => ({
      moto: cpuSeconds(env.pipeline.servers.moto?.pid),
      redis: cpuSeconds(env.pipeline.servers.redis?.pid),
      test: cpuSeconds(process.pid),
      looping: instances.slice(0, LOOPING).reduce((n, i) => n + cpuSeconds(i.pid), 0),
      others: instances.slice(LOOPING).reduce((n, i) => n + cpuSeconds(i.pid), 0),
    });
    const cpuBefore = cpu();

    burst = await runBurst({
      ssm: writer.ssm,
      prefix: env.prefix,
      groups,
      rounds: ROUNDS,
      handler,
      writeConcurrency: 16,
      eventsPerInvocation: 100,
      invocationConcurrency: 4,
      onRoundStart: (round) => {
        if (round === PAUSED_ROUNDS.from) {
          paused.pause();
          pausedAt.push(Date.now());
        }
        if (round === PAUSED_ROUNDS.to + 1) {
          paused.resume();
          pausedAt.push(Date.now());
        }
      },
    });
    const cpuAfter = cpu();
    paused.resume();
    final = await readCurrentVersions(env.pipeline.clients.ssm, env.prefix);
    const deadline = Date.now() + CONVERGE_DEADLINE_MS;
    for (;;) {
      stats = await Promise.all(instances.map((instance) => instance.stats()));
      if (stats.every((s) => divergence(s, final).length === 0)) {
        convergeMs = Date.now() - burst.lastWriteAt;
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(instances.slice(0, LOOPING).map((instance) => instance.loop(false)));
    stats = await Promise.all(instances.map((instance) => instance.stats()));

    const rss = stats.map((s) => s.peakRssKiB);
    const loops = stats.flatMap((s) => (s.reader?.loop ? [s.reader.loop] : []));
    const instanceSsm = stats.reduce<CallCounts>((sum, s) => {
      for (const [name, n] of Object.entries(s.ssmCalls)) sum[name] = (sum[name] ?? 0) + n;
      return sum;
    }, {});
    const lines = [
      `writes: ${burst.writes} PutParameter in ${formatDuration(burst.writeMs)} (${Math.round(burst.writes / (burst.writeMs / 1000))} changes/s written and published)`,
      `handler: ${burst.invocations} invocations, ${burst.published} entries published, instances answered ${burst.instanceOutcomes.ACK} ACK / ${burst.instanceOutcomes.NACK} NACK / ${burst.instanceOutcomes.unreachable} unreachable`,
      `SSM calls: writer ${JSON.stringify(writer.calls)} (seed included), handler ${JSON.stringify(handlerCalls)}, ${INSTANCES} instances ${JSON.stringify(instanceSsm)} (boot loads and reloads)`,
      `converged: every instance held SSM's final versions ${convergedIn(convergeMs)} after the last write; first write to converged ${convergeMs === undefined ? "-" : formatDuration(burst.writeMs + convergeMs)} (${convergeMs === undefined ? "-" : Math.round(burst.writes / ((burst.writeMs + convergeMs) / 1000))} changes/s end to end)`,
      `peak RSS of an instance: max ${Math.round(Math.max(...rss) / 1024)} MiB, median ${Math.round((quantile(rss, 0.5) ?? 0) / 1024)} MiB`,
      `tight get() loops (${loops.length} instances): longest gap between two reads ${Math.max(...loops.map((l) => l.maxGapMs))} ms, ${loops.map((l) => `${l.turnsPerSecond}/s`).join(", ")} turns`,
      `CPU seconds during the burst: ${Object.entries(cpuAfter)
        .map(([k, v]) => `${k} ${(v - (cpuBefore[k] ?? 0)).toFixed(1)}`)
        .join(", ")}`,
      `snapshots checked by the change listeners: ${stats.reduce((n, s) => n + (s.reader?.swapsChecked ?? 0), 0)}; mixed: ${stats.reduce((n, s) => n + (s.reader?.mixed ?? 0), 0)}; regressions: ${stats.reduce((n, s) => n + (s.reader?.regressions ?? 0), 0)}`,
    ];
    process.stdout.write(lines.map((line) => `      ${line}\n`).join(""));
    recordScenario({
      scenario: `load: ${burst.writes} changes / ${KEYS} keys / ${INSTANCES} instances`,
      injected: `burst at ${Math.round(burst.writes / (burst.writeMs / 1000))}/s; 1 reader SIGSTOP'd ${PAUSED_ROUNDS.to - PAUSED_ROUNDS.from + 1} rounds`,
      changesLost: stats.reduce((n, s) => n + divergence(s, final).length, 0),
      versionsRegressed: stats.reduce((n, s) => n + (s.reader?.regressions ?? 0), 0),
      crashes: env.workers.crashes().length,
      converge: convergedIn(convergeMs),
      notes: `mixed snapshots ${stats.reduce((n, s) => n + (s.reader?.mixed ?? 0), 0)}; max read gap ${Math.max(...loops.map((l) => l.maxGapMs))} ms; peak RSS ${Math.round(Math.max(...rss) / 1024)} MiB; SSM reads by handler ${totalCalls(handlerCalls)}`,
    });

    assert.deepEqual(burst.failures, [], "no invocation failed");
    assert.equal(burst.writes, ROUNDS * KEYS);
    assert.equal(
      burst.published,
      ROUNDS * KEYS,
      "every change was published exactly once (each event named a newer version)",
    );
    assert.equal(burst.instanceOutcomes.NACK, 0, "no instance refused a change");
    for (const s of stats) {
      assert.deepEqual(divergence(s, final), [], `${s.instanceId} holds SSM's final versions`);
      assert.equal(
        s.metrics.reloads,
        0,
        `${s.instanceId} got every change from the stream or the RPC, no safety-net reload`,
      );
    }
    assert.notEqual(convergeMs, undefined);
  });

  it("never showed a reader a mixed group or a group going back a generation, on any instance", () => {
    for (const s of stats) {
      assert.ok(s.reader, `${s.instanceId} checked its groups`);
      assert.equal(
        s.reader.mixed,
        0,
        `${s.instanceId} exposed half-applied change sets: ${s.reader.mixedExamples.join("; ")}`,
      );
      assert.equal(s.reader.regressions, 0, `${s.instanceId}: a group went back a generation`);
      // Every generation was applied: at least one swap per round (fewer would mean the check saw nothing).
      assert.ok(s.reader.swapsChecked >= ROUNDS, `${s.instanceId} checked ${s.reader.swapsChecked} snapshots`);
    }
  });

  it("kept the tight get() loops running through the burst: no pause in reads as long as half the loop's run (the gap is reported; only a hang fails)", () => {
    const loops = stats.slice(0, LOOPING).map((s) => s.reader?.loop);
    for (const loop of loops) {
      assert.ok(loop, "the loop ran");
      assert.ok(loop.turns > 1_000, `the loop turned ${loop.turns} times`);
      assert.ok(loop.maxGapMs < loop.ranMs / 2, `longest gap ${loop.maxGapMs} ms of a ${loop.ranMs} ms run`);
    }
  });

  it("let the paused stream reader catch up from its backlog after SIGCONT, without a full reload", () => {
    const paused = stats.find((s) => s.instanceId === PAUSED)!;
    assert.equal(pausedAt.length, 2, "it was paused and resumed");
    assert.deepEqual(divergence(paused, final), []);
    assert.equal(paused.metrics.rpcRefreshCalls, 0, "it is not registered: only the stream reached it");
    assert.equal(paused.metrics.reloads, 0, "its position was still on the stream: no reload was needed");
    assert.ok(
      paused.metrics.applied >= ROUNDS * KEYS,
      `it applied every change from the stream (${paused.metrics.applied})`,
    );
  });

  it("kept every instance alive: none crashed, each exits 0 on SIGTERM", async () => {
    assert.deepEqual(env.workers.crashes(), []);
    const exits = await env.workers.stopAll();
    assert.deepEqual(
      exits.map((exit) => exit.code),
      instances.map(() => 0),
    );
  });
});

/** Names where an instance does not hold SSM's version. */
function divergence(stats: WorkerStats, final: ReadonlyMap<string, number>): string[] {
  const wrong: string[] = [];
  for (const [name, version] of final)
    if (stats.held[name] !== version) wrong.push(`${name}: ${stats.held[name] ?? "absent"} ≠ ${version}`);
  return wrong;
}
