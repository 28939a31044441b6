import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { z } from "zod";
import type { ClientEvent } from "../../../runtime/client";
import { LocalRedisServer } from "../../../runtime/local/servers";
import { defaultStreamKey, parseAckEntry, streamKeys } from "../../../runtime/protocol";
import { ClientPool, startTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { TcpProxy } from "./support/tcpProxy";
import { settle, waitFor } from "./support/waitFor";

const schema = { log_level: z.enum(["debug", "info", "warn", "error"]), other: z.string().optional() };

describe("safety nets", function () {
  let env: TestEnvironment;
  let proxy: TcpProxy | undefined;
  const clients = new ClientPool();

  before(async function () {
    this.timeout(60_000);
    env = await startTestEnvironment();
  });
  afterEach(async () => {
    await clients.closeAll();
    await proxy?.close();
    proxy = undefined;
  });
  after(() => env?.dispose());

  /** A path in SSM, a client on it (through a proxy when asked) that has already applied one published change. */
  async function setUp(options: { throughProxy?: boolean; reloadIntervalMs?: number } = {}) {
    const path = uniquePath();
    const streamKey = defaultStreamKey(path);
    await putParameters(env.ssm, path, { log_level: "info" });
    if (options.throughProxy) proxy = await TcpProxy.start(env.redis.port);
    const events: ClientEvent[] = [];
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: proxy?.url ?? env.redis.url,
      schema,
      resetReloadWindowMs: 200,
      ...(options.reloadIntervalMs ? { reloadIntervalMs: options.reloadIntervalMs } : {}),
    });
    client.onEvent((e) => events.push(e));
    await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "warn")]);
    await waitFor("the first change", () => client.get("log_level") === "warn");
    return { path, streamKey, client, events };
  }

  describe("a lost connection", () => {
    it("applies a change published while the client's connection was down once it reconnects, resuming from its last id", async () => {
      const { path, streamKey, client } = await setUp({ throughProxy: true });
      proxy!.cut();
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "error")]);
      await settle(300);
      assert.equal(client.get("log_level"), "warn", "nothing can arrive while the connection is down");

      proxy!.restore();
      await waitFor("the change after the reconnection", () => client.get("log_level") === "error");
      const metrics = client.metrics();
      assert.ok(metrics.reconnects >= 1, `reconnects: ${metrics.reconnects}`);
      assert.equal(metrics.reloads, 0, "resumed from the last id: no reload was needed");
    });

    it("applies a change published after Redis restarted with its data", async () => {
      const { path, streamKey, client } = await setUp();
      await env.redis.restart({ keepData: true });
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "debug")]);
      await waitFor("the change after the restart", () => client.get("log_level") === "debug");
      assert.ok(client.metrics().reconnects >= 1);
      assert.equal(client.metrics().recreatedReloads, 0, "the same stream came back: no reload");
    });
  });

  describe("closing while Redis is unreachable", () => {
    it("returns promptly although the read that was in flight can never be answered", async () => {
      const { client, events } = await setUp({ throughProxy: true });
      await waitFor("the next XREAD BLOCK in flight", async () =>
        String(await env.admin.client("LIST")).includes("cmd=xread"),
      );
      proxy!.cut(); // and stays cut: every reconnection is refused
      await waitFor("the client saw its connection go", () =>
        events.some((e) => e.type === "stream-error" || e.type === "redis-error"),
      );
      // A hang guard, not a duration asserted: close() must settle although Redis never answers again.
      const closed = await Promise.race([client.close().then(() => true), settle(8_000).then(() => false)]);
      assert.ok(closed, "close() did not return within 8 s");
    });
  });

  describe("a trimmed stream", () => {
    it("triggers a full reload when entries after the last id were trimmed away, and converges", async () => {
      const { path, streamKey, client, events } = await setUp({ throughProxy: true });
      proxy!.cut();
      // The change the client must not miss, then the stream trimmed past it while the client was away.
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "error")]);
      for (let i = 0; i < 3; i++)
        await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}other`, `filler-${i}`)]);
      await env.admin.xtrim(streamKeys(streamKey).stream, "MAXLEN", 1);

      proxy!.restore();
      await waitFor("the reload", () => client.get("log_level") === "error" && client.get("other") === "filler-2");
      assert.equal(client.metrics().trimmedReloads, 1);
      assert.equal(client.metrics().recreatedReloads, 0);
      assert.ok(events.some((e) => e.type === "stream-reset" && e.reason === "trimmed"));
      await waitFor("reload acks", async () => {
        const acks = (await env.admin.xrange(streamKeys(streamKey).acks, "-", "+")).map(([id, f]) =>
          parseAckEntry(id, f),
        );
        return acks.some((a) => a.ok && a.ack.via === "reload" && a.ack.name === `${path}log_level`);
      });
    });
  });

  describe("a recreated stream", () => {
    it("triggers a full reload when Redis came back empty, and converges", async () => {
      const { path, streamKey, client } = await setUp();
      const missed = await putParameter(env.ssm, `${path}log_level`, "error"); // its event was lost with the data
      await env.redis.restart({ keepData: false });

      await waitFor("the reload", () => client.get("log_level") === "error");
      assert.ok(client.metrics().recreatedReloads >= 1);
      // Listening goes on from the new stream (the Lambda recreates it with a new epoch).
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "debug")]);
      await waitFor("a change on the new stream", () => client.get("log_level") === "debug");
      assert.ok(missed.version > 0);
    });

    it("triggers a full reload when the stream was flushed under a connected client, and converges", async () => {
      const { path, streamKey, client } = await setUp();
      // Written before the flush, so that their events are lost with it (and the reload, which may
      // come as soon as the flush lands, cannot have read SSM before them).
      await putParameter(env.ssm, `${path}log_level`, "error");
      await putParameter(env.ssm, `${path}other`, "lost-with-the-flush");
      await env.admin.flushall(); // the test's own redis-server

      await waitFor(
        "the reload",
        () => client.get("log_level") === "error" && client.get("other") === "lost-with-the-flush",
      );
      assert.equal(client.metrics().recreatedReloads, 1);
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "debug")]);
      await waitFor("a change on the new stream", () => client.get("log_level") === "debug");
      assert.equal(client.metrics().recreatedReloads, 1, "one reload for one recreation");
    });
  });

  describe("a failover to a replica that missed the last entries", () => {
    let replica: LocalRedisServer | undefined;
    let replicaAdmin: Redis | undefined;
    afterEach(async () => {
      replicaAdmin?.disconnect();
      await replica?.dispose();
      replicaAdmin = replica = undefined;
    });

    it("reloads a reader that had not read them (it sees no gap in the stream), and reads on from the new primary", async () => {
      const { path, streamKey, client, events } = await setUp({ throughProxy: true });
      replica = await LocalRedisServer.start();
      replicaAdmin = new Redis(replica.url, { maxRetriesPerRequest: 3 });
      await env.admin.config("SET", "repl-diskless-sync-delay", "0"); // the test's own redis-server; the default waits 5 s for more replicas
      await replicaAdmin.replicaof("127.0.0.1", env.redis.port);
      await waitFor(
        "the replica in sync",
        async () =>
          (await env.admin.wait(1, 200)) >= 1 && /master_link_status:up/.test(await replicaAdmin!.info("replication")),
      );

      proxy!.cut(); // the reader is behind: it has not read what comes next
      await replicaAdmin.replicaof("NO", "ONE"); // promoted before the old primary replicated the next publication
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "error")]); // lost with the old primary
      const promoted = (await replicaAdmin.xinfo("STREAM", streamKeys(streamKey).stream)) as unknown[];
      assert.equal(
        promoted[promoted.indexOf("entries-added") + 1],
        1,
        "the new primary holds only the entry the reader read: no gap to see",
      );
      proxy!.retarget(replica.port);
      proxy!.restore();

      await waitFor("the reload after the failover", () => client.get("log_level") === "error");
      assert.equal(client.metrics().failoverReloads, 1);
      assert.ok(events.some((e) => e.type === "stream-reset" && e.reason === "failover"));
      await publish(replicaAdmin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "debug")]);
      await waitFor("a change on the new primary", () => client.get("log_level") === "debug");
      assert.equal(client.metrics().failoverReloads, 1, "one reload for one failover");
      assert.equal(client.metrics().recreatedReloads + client.metrics().trimmedReloads, 0);
    });
  });

  describe("the TTL", () => {
    it("reloads on its interval and picks up a change that was never published", async () => {
      const { path, client } = await setUp({ reloadIntervalMs: 1_000 });
      const swaps = client.metrics().swaps;
      await putParameter(env.ssm, `${path}log_level`, "debug");
      await waitFor("the TTL reload", () => client.get("log_level") === "debug", 5_000);
      assert.ok(client.metrics().reloads >= 1);
      assert.equal(client.metrics().swaps, swaps + 1);
      const reloadsBefore = client.metrics().reloads;
      await waitFor("another TTL reload", () => client.metrics().reloads > reloadsBefore, 5_000);
      assert.equal(client.metrics().swaps, swaps + 1, "a reload that finds nothing new swaps nothing");
    });
  });
});
