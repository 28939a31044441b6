import { strict as assert } from "node:assert";
import { z } from "zod";
import {
  ClientOptionsError,
  createConfigClient,
  type ClientEvent,
  type ConfigClientOptions,
  type StreamReadOptions,
} from "../../../runtime/client";
import { CLIENT_DEFAULTS } from "../../../runtime/client/resolveOptions";
import { redisCommandCounts } from "../../../runtime/local/servers";
import { defaultStreamKey } from "../../../runtime/protocol";
import { ClientPool, MemoryLogger, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { TcpProxy } from "./support/tcpProxy";
import { waitFor } from "./support/waitFor";

const schema = { log_level: z.enum(["debug", "info", "warn", "error"]) };
/** Commands of one position check: MULTI, XINFO STREAM, GET epoch, INFO replication, EXEC. */
const CHECK_COMMANDS = ["multi", "xinfo|stream", "get", "info", "exec"];
/** What an idle client may send at all: its XREADs and its position checks. */
const IDLE_COMMANDS = new Set(["xread", ...CHECK_COMMANDS]);

describe("a quiet idle instance", function () {
  let env: TestEnvironment;
  let proxy: TcpProxy | undefined;
  const clients = new ClientPool();
  useTestEnvironment(clients, (ready) => (env = ready));
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /**
   * A path with one parameter, and `count` clients on it, idle once their start's acknowledgements
   * are written (nothing is published).
   */
  async function startIdle(count: number, stream: StreamReadOptions) {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info" });
    const fleet = await Promise.all(
      Array.from({ length: count }, () =>
        clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url, schema, stream }),
      ),
    );
    await waitFor("the start's acknowledgements", () => fleet.every((client) => client.metrics().acksWritten > 0));
    return fleet;
  }

  /**
   * A path in SSM and a client on it (through `redis`, with `options`) that has already applied one
   * published change; its events are kept.
   */
  async function startOnPath(redis: string, options: Pick<ConfigClientOptions, "stream" | "resetReloadWindowMs">) {
    const path = uniquePath();
    const streamKey = defaultStreamKey(path);
    await putParameters(env.ssm, path, { log_level: "info" });
    const client = await clients.start({ parameterPath: path, ssm: env.ssm, redis, schema, ...options });
    const events: ClientEvent[] = [];
    client.onEvent((e) => events.push(e));
    await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "warn")]);
    await waitFor("the first change", () => client.get("log_level") === "warn");
    return { path, streamKey, client, events };
  }

  /**
   * The commands the test's redis-server ran while `blocks` XREADs of idle clients ended, the
   * test's own INFO calls taken out (each counts in the next reading).
   */
  async function idleCommands(blocks: number): Promise<Record<string, number>> {
    let readings = 0;
    const read = () => {
      readings++;
      return redisCommandCounts(env.admin);
    };
    const before = await read();
    let after = before;
    await waitFor(
      `${blocks} idle blocks`,
      async () => {
        after = await read();
        return (after.xread ?? 0) - (before.xread ?? 0) >= blocks;
      },
      60_000,
    );
    const delta: Record<string, number> = {};
    for (const [command, calls] of Object.entries(after)) {
      const ran = calls - (before[command] ?? 0) - (command === "info" ? readings - 1 : 0);
      if (ran > 0) delta[command] = ran;
    }
    return delta;
  }

  describe("with the default cadence (the block shortened, the number of blocks per check kept)", () => {
    it("sends at most 2 Redis commands per idle block, every connection counted: its XREAD, and a position check every positionCheckEvery blocks", async function () {
      this.timeout(90_000);
      const every = CLIENT_DEFAULTS.positionCheckEvery;
      const fleet = await startIdle(3, { blockMs: 100 });
      const delta = await idleCommands(60 * fleet.length);

      const total = Object.values(delta).reduce((a, b) => a + b, 0);
      const blocks = delta.xread ?? 0;
      const checks = delta.multi ?? 0;
      console.log(
        `      ${fleet.length} idle clients, ${blocks} blocks: ${JSON.stringify(delta)} = ${(total / blocks).toFixed(2)} ` +
          `commands per block (at the default ${CLIENT_DEFAULTS.blockMs / 1000} s block: per minute)`,
      );
      assert.deepEqual(
        Object.keys(delta).filter((command) => !IDLE_COMMANDS.has(command)),
        [],
        "nothing but XREADs and position checks",
      );
      assert.ok(total <= 2 * blocks, `${total} commands for ${blocks} idle blocks`);
      // Each client checks once every `every` of its blocks (plus one at each end of the window).
      assert.ok(checks >= Math.floor(blocks / every) - fleet.length, `${checks} checks: the rare check still runs`);
      assert.ok(checks <= Math.ceil(blocks / every) + 2 * fleet.length, `${checks} checks for ${blocks} blocks`);
      for (const command of CHECK_COMMANDS) assert.equal(delta[command] ?? 0, checks, `${command}: one per check`);
    });
  });

  describe("configured as the client formerly read (positionCheckEvery 1)", () => {
    it("checks the position after every idle block: 6 commands per block", async function () {
      this.timeout(90_000);
      const fleet = await startIdle(3, { blockMs: 100, positionCheckEvery: 1 });
      const delta = await idleCommands(20 * fleet.length);

      const blocks = delta.xread ?? 0;
      const checks = delta.multi ?? 0;
      console.log(`      ${fleet.length} idle clients, ${blocks} blocks: ${JSON.stringify(delta)}`);
      assert.ok(Math.abs(checks - blocks) <= fleet.length, `${checks} checks for ${blocks} idle blocks`);
    });
  });

  describe("after a reconnection", () => {
    it("checks its position as soon as the connection is back, not once the read it had in flight would have ended", async function () {
      this.timeout(60_000);
      const { path, client, events } = await startOnPath(env.redis.url, {
        resetReloadWindowMs: 0,
        stream: { blockMs: 60_000 },
      });

      const missed = await putParameter(env.ssm, `${path}log_level`, "error"); // its event was lost with the data
      await env.redis.restart({ keepData: false }); // the test's own redis-server
      // Well within the 60 s the XREAD in flight would block if it were resent as it was.
      await waitFor(
        "the reset",
        () => events.some((e) => e.type === "stream-reset" && e.reason === "recreated"),
        20_000,
      );
      await waitFor("the reload", () => client.get("log_level") === "error");
      assert.ok(client.metrics().reconnects >= 1);
      assert.ok(missed.version > 0);
    });
  });

  describe("cadences out of range", () => {
    it("are refused at start, each named with its limit", async () => {
      const refused = await createConfigClient({
        parameterPath: uniquePath(),
        ssm: env.ssm,
        redis: env.redis.url,
        logger: new MemoryLogger(),
        stream: { blockMs: 7_200_000, positionCheckEvery: 0, timeoutGraceMs: 5 },
      }).then(
        () => assert.fail("started with bad cadences"),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof ClientOptionsError, String(refused));
      assert.match(refused.message, /stream\.blockMs: at most 3600000 \(1 hour\)/);
      assert.match(refused.message, /stream\.positionCheckEvery: .*>=\s*1/);
      assert.match(refused.message, /stream\.timeoutGraceMs: .*>=\s*100/);
    });
  });

  describe("a connection cut silently (a paused proxy: sockets open, nothing forwarded, no FIN, no RST)", () => {
    it("is taken for dead once a read goes unanswered for blockMs + timeoutGraceMs, and the change published meanwhile is applied from the last id once the path is back", async function () {
      this.timeout(60_000);
      const timing = { blockMs: 500, timeoutGraceMs: 500 };
      proxy = await TcpProxy.start(env.redis.port);
      const { path, streamKey, client, events } = await startOnPath(proxy.url, { stream: timing });
      const { reconnects } = client.metrics();

      proxy.pause();
      const pausedAt = Date.now();
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "error")]);
      await waitFor(
        "the silent stream connection taken for dead",
        () =>
          events.some(
            (e) => e.type === "redis-error" && e.connection === "stream" && /socket timeout/i.test(e.error.message),
          ),
        20_000,
      );
      const noticedMs = Date.now() - pausedAt;
      assert.equal(client.get("log_level"), "warn", "nothing arrives while the path is silent");

      proxy.resume();
      await waitFor("the change, once the path is back", () => client.get("log_level") === "error", 20_000);
      console.log(
        `      silent cut noticed ${noticedMs} ms after the pause (bound: blockMs + timeoutGraceMs = ` +
          `${timing.blockMs + timing.timeoutGraceMs} ms; by default ${(CLIENT_DEFAULTS.blockMs + CLIENT_DEFAULTS.timeoutGraceMs) / 1000} s)`,
      );
      assert.ok(client.metrics().reconnects > reconnects, "read on a new connection");
      assert.equal(client.metrics().reloads, 0, "resumed from its last id (the check found it intact): no reload");
    });
  });
});
