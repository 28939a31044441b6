import { strict as assert } from "node:assert";
import { z } from "zod";
import type { ClientEvent } from "../../../runtime/client";
import { defaultStreamKey } from "../../../runtime/protocol";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { waitFor } from "./support/waitFor";

const schema = { log_level: z.enum(["debug", "info", "warn", "error"]), other: z.string().optional() };
const INSTANCES = 6;
const WINDOW_MS = 3_000;

describe("reloads spread over a window after a reset", function () {
  let env: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (ready) => (env = ready));

  it("spreads the instances' reloads after a Redis flush across the window, and each converges", async function () {
    this.timeout(30_000);
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const reloadedAt = new Map<number, number>();
    const fleet = await Promise.all(
      Array.from({ length: INSTANCES }, async (_, n) => {
        const client = await clients.start({
          parameterPath: path,
          ssm: env.ssm,
          redis: env.redis.url,
          schema,
          instanceId: `spread-${n}`,
          resetReloadWindowMs: WINDOW_MS,
        });
        client.onEvent((e: ClientEvent) => {
          if (e.type === "reload" && e.reason === "recreated") reloadedAt.set(n, Date.now());
        });
        return client;
      }),
    );
    await publish(env.admin, defaultStreamKey(path), [await putParameter(env.ssm, `${path}log_level`, "warn")]);
    await waitFor("the fleet on the stream", () => fleet.every((c) => c.get("log_level") === "warn"));

    await putParameter(env.ssm, `${path}log_level`, "error");
    await putParameter(env.ssm, `${path}other`, "lost-with-the-flush");
    const flushedAt = Date.now();
    await env.admin.flushall(); // the test's own redis-server

    await waitFor(
      "every instance reloaded and converged",
      () =>
        reloadedAt.size === INSTANCES &&
        fleet.every((c) => c.get("log_level") === "error" && c.get("other") === "lost-with-the-flush"),
      WINDOW_MS + 8_000,
    );
    const offsets = [...reloadedAt.values()].map((at) => at - flushedAt).sort((a, b) => a - b);
    console.log(`      reloads after the flush, ms (window ${WINDOW_MS}): ${offsets.join(", ")}`);
    assert.ok(new Set(offsets).size > 1, "the instances did not reload in step");
    for (const client of fleet) assert.equal(client.metrics().recreatedReloads, 1, "one reload for one flush");
  });

  it("reads the new stream while its reload waits for its point of the window", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    // A window of 10 minutes: the reload is (all but surely) still waiting when the change arrives.
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      resetReloadWindowMs: 600_000,
    });
    const resets: ClientEvent[] = [];
    client.onEvent((e) => void (e.type === "stream-reset" && resets.push(e)));
    await publish(env.admin, defaultStreamKey(path), [await putParameter(env.ssm, `${path}log_level`, "warn")]);
    await waitFor("the first change", () => client.get("log_level") === "warn");

    await env.admin.flushall();
    await waitFor("the reset noticed", () => resets.length === 1);
    await publish(env.admin, defaultStreamKey(path), [await putParameter(env.ssm, `${path}log_level`, "debug")]);
    await waitFor("a change on the new stream", () => client.get("log_level") === "debug");
    assert.equal(client.metrics().recreatedReloads, 0, "the reload is still waiting for its point of the window");
  });
});
