import { strict as assert } from "node:assert";
import { SSMClient } from "@aws-sdk/client-ssm";
import { SYSTEM_TIMERS, type Timers } from "../../../runtime/common/timers";
import type { ClientEvent } from "../../../runtime/client";
import { readSecureValues } from "../../../runtime/client/ssm/readSecureValues";
import type { CandidateChange } from "../../../runtime/client/state/applyChanges";
import { emulatorClientConfig } from "../../../runtime/local/servers";
import { defaultStreamKey, type ParameterChange } from "../../../runtime/protocol";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

/** One SSM call as the client sent it: the command, the `Name` it asked for, when, and whether SSM answered. */
interface SentCall {
  command: string;
  name: string;
  at: number;
  ok: boolean;
}

/** A real SSM client on moto that records every call it makes (middleware at the first step: what SSM receives). */
function recordingSsm(env: TestEnvironment): { ssm: SSMClient; calls: SentCall[] } {
  const ssm = new SSMClient(emulatorClientConfig(env.moto.endpoint));
  const calls: SentCall[] = [];
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      const call: SentCall = {
        command: (context.commandName ?? "").replace(/Command$/, ""),
        name: String((args.input as { Name?: string }).Name ?? ""),
        at: Date.now(),
        ok: false,
      };
      calls.push(call);
      const answer = await next(args);
      call.ok = true;
      return answer;
    },
    { step: "initialize", name: "recordCalls" },
  );
  return { ssm, calls };
}

const streamChange = (change: ParameterChange): CandidateChange => ({ change, via: "stream" });

describe("SecureString reads spread across the fleet", function () {
  let env: TestEnvironment;
  const clients = new ClientPool();
  const ssmClients: SSMClient[] = [];
  useTestEnvironment(clients, (ready) => (env = ready));
  afterEach(() => {
    for (const ssm of ssmClients.splice(0)) ssm.destroy();
  });

  it("waits a draw of the jitter window before each stream change's read, in the order of the draws, and reads a Refresh's at once", async () => {
    const path = uniquePath();
    const put = await putParameters(env.ssm, path, {
      a: ["secret-a", "SecureString"],
      b: ["secret-b", "SecureString"],
      c: ["secret-c", "SecureString"],
      d: ["secret-d", "SecureString"],
      rpc: ["secret-rpc", "SecureString"],
    });
    const { ssm, calls } = recordingSsm(env);
    ssmClients.push(ssm);
    const windowMs = 400;
    const draws = [0.75, 0, 0.5, 0.25];
    const waits: number[] = [];
    const timers: Timers = {
      ...SYSTEM_TIMERS,
      setTimeout: (callback, ms) => {
        waits.push(ms);
        return SYSTEM_TIMERS.setTimeout(callback, ms);
      },
    };
    const candidates: CandidateChange[] = [
      streamChange(put.a!),
      streamChange(put.b!),
      streamChange(put.c!),
      streamChange(put.d!),
      { change: put.rpc!, via: "rpc" },
    ];

    const read = await readSecureValues(ssm, candidates, () => true, windowMs, {
      timers,
      random: () => draws.shift() ?? 0,
    });

    assert.deepEqual(waits, [300, 0, 200, 100], "each stream change waits ⌊draw × window⌋; the Refresh's none");
    assert.ok(waits.every((wait) => wait >= 0 && wait < windowMs));
    assert.deepEqual(
      calls.map((call) => call.name),
      [`${path}rpc:1`, `${path}b:1`, `${path}d:1`, `${path}c:1`, `${path}a:1`],
      "the reads go out in the order of the waits",
    );
    assert.deepEqual(
      read.map((candidate) => [candidate.change.value, candidate.fetchError]),
      [
        ["secret-a", undefined],
        ["secret-b", undefined],
        ["secret-c", undefined],
        ["secret-d", undefined],
        ["secret-rpc", undefined],
      ],
    );
  });

  it("makes each instance read a SecureString change once, at its own point of the jitter window, and hold it", async function () {
    this.timeout(30_000);
    const instances = 8;
    const jitterMs = 3_000;
    const path = uniquePath();
    await putParameters(env.ssm, path, { "db/password": ["first-password", "SecureString"] });
    const fleet = await Promise.all(
      Array.from({ length: instances }, async (_, n) => {
        const { ssm, calls } = recordingSsm(env);
        ssmClients.push(ssm);
        const client = await clients.start({
          parameterPath: path,
          ssm,
          redis: env.redis.url,
          instanceId: `secure-${n}`,
          secureReadJitterMs: jitterMs,
        });
        return { client, calls };
      }),
    );
    const v2 = await putParameter(env.ssm, `${path}db/password`, "second-password", "SecureString");
    const reads = (calls: SentCall[]): SentCall[] => calls.filter((call) => call.name === `${v2.name}:${v2.version}`);

    const publishedAt = Date.now();
    await publish(env.admin, defaultStreamKey(path), [v2]);
    await waitFor(
      "every instance holds the new password",
      () => fleet.every(({ client }) => client.get("db/password") === "second-password"),
      jitterMs + 10_000,
    );

    const offsets = fleet.map(({ calls }) => reads(calls)[0]!.at - publishedAt).sort((a, b) => a - b);
    console.log(`      reads after the change, ms (jitter window ${jitterMs}): ${offsets.join(", ")}`);
    for (const { calls } of fleet) assert.equal(reads(calls).length, 1, "one read per instance");
    // 8 uniform draws of a 3 s window all fall within 750 ms of each other with probability 4 × 10⁻⁴.
    assert.ok(offsets[offsets.length - 1]! - offsets[0]! >= jitterMs / 4, `not spread: ${offsets.join(", ")}`);
    assert.ok(new Set(offsets).size > 1, "the instances read in step");
  });

  it("lets every change after a SecureString one apply while its read waits for its point of the window", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, {
      "db/password": ["first-password", "SecureString"],
      log_level: "info",
    });
    const { ssm, calls } = recordingSsm(env);
    ssmClients.push(ssm);
    // A window as long as a large fleet's (fleet: { instances: 10_000 } gives 500 s).
    const client = await clients.start({ parameterPath: path, ssm, redis: env.redis.url, secureReadJitterMs: 600_000 });
    const secret = await putParameter(env.ssm, `${path}db/password`, "second-password", "SecureString");
    const level = await putParameter(env.ssm, `${path}log_level`, "debug");
    await publish(env.admin, defaultStreamKey(path), [secret, level]);
    const later = await putParameter(env.ssm, `${path}log_level`, "warn");
    await publish(env.admin, defaultStreamKey(path), [later]);
    await waitFor("the changes after it applied", () => client.get("log_level") === "warn");
    assert.equal(client.get("db/password"), "first-password", "its read is still waiting");
    assert.deepEqual(
      calls.filter((call) => call.name === `${secret.name}:${secret.version}`),
      [],
    );
  });

  it("retries a failed read alone, with backoff, and takes the value without a full reload", async function () {
    this.timeout(30_000);
    const path = uniquePath();
    const v1 = await putParameter(env.ssm, `${path}db/password`, "first-password", "SecureString");
    const { ssm, calls } = recordingSsm(env);
    ssmClients.push(ssm);
    const client = await clients.start({ parameterPath: path, ssm, redis: env.redis.url, secureReadJitterMs: 0 });
    const events: ClientEvent[] = [];
    client.onEvent((event) => void events.push(event));
    const bootCalls = calls.length;

    // The change reaches the instance before SSM answers for its version (a throttled or lagging read).
    const now = Date.now();
    const v2: ParameterChange = { ...v1, operation: "Update", version: 2, modifiedAt: now, changedAt: now };
    await publish(env.admin, defaultStreamKey(path), [v2]);
    await waitFor("the read failed", () =>
      events.some((e) => e.type === "rejected" && e.reason === "FETCH_FAILED" && e.version === 2),
    );
    await putParameter(env.ssm, `${path}db/password`, "second-password", "SecureString");
    await waitFor("the retried read brought v2", () => client.get("db/password") === "second-password", 20_000);

    const after = calls.slice(bootCalls);
    const attempts = after.filter((call) => call.name === `${v2.name}:2`);
    const gaps = attempts.slice(1).map((call, i) => call.at - attempts[i]!.at);
    console.log(`      reads of v2: ${attempts.map((a) => (a.ok ? "ok" : "failed")).join(", ")}; gaps ms: ${gaps}`);
    assert.ok(attempts.length >= 2, "the failed read was retried");
    assert.ok(attempts[0]!.ok === false && attempts[attempts.length - 1]!.ok, "failed first, then read");
    assert.deepEqual(
      after.filter((call) => call.command !== "GetParameter"),
      [],
      "no GetParametersByPath: no full reload",
    );
    assert.equal(client.metrics().reloads, 0);
    assert.equal(client.metrics().fetchFailures, attempts.length - 1);
    assert.equal(
      events.some((e) => e.type === "reload"),
      false,
    );
  });
});
