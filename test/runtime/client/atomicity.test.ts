import { strict as assert } from "node:assert";
import {
  createRefreshClient,
  defaultStreamKey,
  refreshTokenMetadata,
  toWireChange,
  type ParameterChange,
  type RefreshResponse,
  type WireParameterChange,
} from "../../../runtime/protocol";
import { ssmInteger } from "../../../runtime/client";
import { ClientPool, useTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

const TOKEN = "atomicity-test-token-0123456789";
const ROUNDS = 25;

describe("atomic swaps", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  /**
   * Reads the three keys on every turn of the event loop until `done()` (bounded: at most
   * `maxMs`), recording every combination seen through get() and through one snapshot.
   */
  async function watch(
    read: () => [unknown, unknown, unknown],
    snapshotRead: () => [unknown, unknown, unknown],
    done: () => boolean,
    maxMs = 20_000,
  ) {
    const mixed: unknown[][] = [];
    const seen = new Set<string>();
    const deadline = Date.now() + maxMs;
    while (!done() && Date.now() < deadline) {
      for (const values of [read(), snapshotRead()]) {
        seen.add(JSON.stringify(values));
        if (!(values[0] === values[1] && values[1] === values[2])) mixed.push(values);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { mixed, seen };
  }

  it("never shows a reader a mix of old and new values while multi-key changes arrive on the stream", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { "a/x": "0", "a/y": "0", "b/z": "0" });
    const schema = { "a/x": ssmInteger(), "a/y": ssmInteger(), "b/z": ssmInteger() };
    const client = await clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url, schema });
    const swapsPerBatch: number[] = [];
    client.onChange("*", (changes) => swapsPerBatch.push(changes.length));

    const writer = (async () => {
      for (let round = 1; round <= ROUNDS; round++) {
        const changes: ParameterChange[] = [];
        for (const key of ["a/x", "a/y", "b/z"]) changes.push(await putParameter(env.ssm, path + key, String(round)));
        await publish(env.admin, defaultStreamKey(path), changes);
      }
    })();
    const { mixed, seen } = await watch(
      () => [client.get("a/x"), client.get("a/y"), client.get("b/z")],
      () => {
        const s = client.snapshot();
        return [s["a/x"], s["a/y"], s["b/z"]];
      },
      () => client.get("a/x") === ROUNDS,
    );
    await writer;
    await waitFor("the last round", () => client.get("b/z") === ROUNDS);

    assert.deepEqual(mixed, [], "a reader saw a mixed snapshot");
    assert.ok(seen.size > 2, `the reader ran across the changes (saw ${seen.size} states)`);
    assert.ok(
      swapsPerBatch.every((n) => n === 3),
      `every swap carried the three keys: ${swapsPerBatch.join(",")}`,
    );
    assert.equal(client.metrics().swaps, swapsPerBatch.length);
  });

  it("applies the changes of one Refresh call in one swap too", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { "a/x": "0", "a/y": "0", "b/z": "0" });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { "a/x": ssmInteger(), "a/y": ssmInteger(), "b/z": ssmInteger() },
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
    });
    const rpc = createRefreshClient(`127.0.0.1:${client.refreshPort}`);
    const sizes: number[] = [];
    client.onChange("*", (changes) => sizes.push(changes.length));
    try {
      const writer = (async () => {
        for (let round = 1; round <= 10; round++) {
          const changes: WireParameterChange[] = [];
          for (const key of ["a/x", "a/y", "b/z"])
            changes.push(toWireChange(await putParameter(env.ssm, path + key, String(round))));
          const response = await new Promise<RefreshResponse>((resolve, reject) =>
            rpc.Refresh(
              { changes, eventId: `e${round}`, sentAtMs: Date.now() },
              refreshTokenMetadata(TOKEN),
              {},
              (e, r) => (e ? reject(e) : resolve(r as RefreshResponse)),
            ),
          );
          assert.deepEqual(
            response.results.map((r) => r.outcome),
            ["ACK", "ACK", "ACK"],
          );
        }
      })();
      const { mixed } = await watch(
        () => [client.get("a/x"), client.get("a/y"), client.get("b/z")],
        () => {
          const s = client.snapshot();
          return [s["a/x"], s["a/y"], s["b/z"]];
        },
        () => client.get("a/x") === 10,
      );
      await writer;
      await waitFor("the last round", () => client.get("b/z") === 10);
      assert.deepEqual(mixed, []);
      assert.deepEqual(sizes, Array(10).fill(3));
    } finally {
      rpc.close();
    }
  });

  it("lets no reader see part of a batch: not a check run between its entries, nor a snapshot taken before it", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { "a/x": "0", "a/y": "0", "b/z": "0" });
    let get: (key: string) => unknown = () => undefined;
    const readDuringChecks: unknown[][] = [];
    // A schema check runs while the batch is being decided, between its entries: it reads the client.
    const watched = ssmInteger().refine(() => {
      if (get("a/x") !== undefined) readDuringChecks.push([get("a/x"), get("a/y"), get("b/z")]);
      return true;
    });
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { "a/x": watched, "a/y": watched, "b/z": watched },
    });
    get = (key) => client.get(key);
    const seenByListener: unknown[][] = [];
    client.onChange("*", (_changes, snapshot) =>
      seenByListener.push([snapshot["a/x"], snapshot["a/y"], snapshot["b/z"], client.get("b/z")]),
    );
    const before = client.snapshot();

    const changes: ParameterChange[] = [];
    for (const key of ["a/x", "a/y", "b/z"]) changes.push(await putParameter(env.ssm, path + key, "1"));
    await publish(env.admin, defaultStreamKey(path), changes);
    await waitFor("the batch", () => client.get("b/z") === 1);

    assert.deepEqual(readDuringChecks, Array(3).fill([0, 0, 0]), "every check saw the values before the batch");
    assert.deepEqual(seenByListener, [[1, 1, 1, 1]], "the listener saw the whole batch, in one swap");
    assert.deepEqual([before["a/x"], before["a/y"], before["b/z"]], [0, 0, 0], "the earlier snapshot is unchanged");
    assert.ok(Object.isFrozen(before) && Object.isFrozen(client.snapshot()));
    assert.notEqual(client.snapshot(), before);
  });
});
