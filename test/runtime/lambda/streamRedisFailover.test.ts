import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { REFRESH_METRICS } from "../../../runtime/lambda";
import { LocalRedisServer } from "../../../runtime/local/servers";
import { streamKeys } from "../../../runtime/protocol";
import { TcpProxy } from "../client/support/tcpProxy";
import { waitFor } from "../client/support/waitFor";
import { changeEvent } from "./support/events";
import { RefreshFixture } from "./support/refreshFixture";

/**
 * A warm function keeps its Redis connection across invocations. After a failover that connection
 * may still reach the demoted node, which answers READONLY; the function must find the new primary
 * by itself, within the invocation, or every retry of the event fails and it is dead-lettered.
 */
describe("refresh Lambda: its Redis connection across a failover (own redis-servers, REPLICAOF)", function () {
  this.timeout(60_000);
  let fx: RefreshFixture;
  let servers: LocalRedisServer[] = [];
  let admins: Redis[] = [];
  let proxy: TcpProxy | undefined;

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  after(async () => fx?.close());
  afterEach(async () => {
    await fx.closeHandlers();
    await proxy?.close();
    proxy = undefined;
    for (const admin of admins) admin.disconnect();
    await Promise.all(servers.map((server) => server.dispose()));
    servers = [];
    admins = [];
  });

  async function twoServers(): Promise<
    [{ server: LocalRedisServer; admin: Redis }, { server: LocalRedisServer; admin: Redis }]
  > {
    servers = await Promise.all([LocalRedisServer.start(), LocalRedisServer.start()]);
    admins = servers.map((server) => {
      const admin = new Redis(server.url, { maxRetriesPerRequest: 3 });
      admin.on("error", () => undefined);
      return admin;
    });
    for (const admin of admins) await admin.config("SET", "repl-diskless-sync-delay", "0"); // the default waits 5 s for more replicas
    return [
      { server: servers[0]!, admin: admins[0]! },
      { server: servers[1]!, admin: admins[1]! },
    ];
  }

  /** Makes `replica` replicate `primary` and waits until it is in sync. */
  async function replicate(
    replica: { admin: Redis },
    primary: { server: LocalRedisServer; admin: Redis },
  ): Promise<void> {
    await replica.admin.replicaof("127.0.0.1", primary.server.port);
    await waitFor(
      "the replica in sync",
      async () =>
        /master_link_status:up/.test(await replica.admin.info("replication")) &&
        (await primary.admin.wait(1, 200)) >= 1,
    );
  }

  async function readonlyErrors(admin: Redis): Promise<number> {
    return Number(/errorstat_READONLY:count=(\d+)/.exec(await admin.info("errorstats"))?.[1] ?? 0);
  }

  it("publishes on the new primary after a failover, and again after the failback, without an invocation failing", async () => {
    const [a, b] = await twoServers();
    await replicate(b, a);
    proxy = await TcpProxy.start(a.server.port); // the replication group's primary endpoint
    const prefix = fx.newPrefix();
    const settings = fx.settings({ parameterPrefix: prefix, redisUrl: proxy.url });
    const name = `${prefix}log_level`;
    const { refresh, metrics } = fx.handler(settings);
    const publish = async (value: string) => {
      await fx.put(name, value);
      return refresh(changeEvent(name, "Update"));
    };
    assert.equal((await publish("info")).published.length, 1);
    await waitFor("the entry on the replica", async () => (await b.admin.xlen(settings.streamKey)) === 1);

    // Failover: B promoted, A demoted (it answers READONLY), the endpoint names B; the warm connection still reaches A.
    await b.admin.replicaof("NO", "ONE");
    await replicate(a, b);
    proxy.retarget(b.server.port);
    const failover = await publish("warn");
    assert.equal(failover.published.length, 1);
    assert.ok((await readonlyErrors(a.admin)) >= 1, "the warm connection did reach the demoted node");
    assert.equal(await b.admin.xlen(settings.streamKey), 2, "published on the new primary");
    await waitFor("the entry on the new replica", async () => (await a.admin.xlen(settings.streamKey)) === 2);

    // Failback: A promoted back, B demoted.
    await a.admin.replicaof("NO", "ONE");
    await replicate(b, a);
    proxy.retarget(a.server.port);
    const failback = await publish("error");
    assert.equal(failback.published.length, 1);
    assert.ok((await readonlyErrors(b.admin)) >= 1);
    assert.equal(await a.admin.xlen(settings.streamKey), 3);
    assert.equal(
      metrics.sum(REFRESH_METRICS.retryableFailures),
      0,
      "no invocation failed: nothing to retry, nothing dead-lettered",
    );
  });

  it("waits for a node made a replica and promoted back, within the invocation, instead of failing on READONLY", async () => {
    const [a, b] = await twoServers();
    const prefix = fx.newPrefix();
    const settings = fx.settings({ parameterPrefix: prefix, redisUrl: a.server.url });
    const name = `${prefix}log_level`;
    const { refresh, metrics } = fx.handler(settings);
    await fx.put(name, "info");
    await refresh(changeEvent(name, "Update"));

    await replicate(a, b);
    await fx.put(name, "warn");
    const invocation = refresh(changeEvent(name, "Update"));
    await waitFor("the invocation answered READONLY", async () => (await readonlyErrors(a.admin)) >= 1, 2_000);
    await a.admin.replicaof("NO", "ONE");
    const result = await invocation;

    assert.deepEqual(
      result.published.map((c) => c.name),
      [name],
    );
    assert.equal(metrics.sum(REFRESH_METRICS.retryableFailures), 0);
    assert.ok(await a.admin.exists(streamKeys(settings.streamKey).stream));
  });

  it("connects afresh after any publish error, so the next invocation does not reuse a broken connection", async () => {
    const [a] = await twoServers();
    const prefix = fx.newPrefix();
    const settings = fx.settings({ parameterPrefix: prefix, redisUrl: a.server.url });
    const name = `${prefix}x`;
    const { refresh } = fx.handler(settings);
    await fx.put(name, "1");
    await refresh(changeEvent(name, "Create"));
    const clients = async () =>
      ((await a.admin.client("LIST")) as string).split("\n").filter((line) => line.includes("cmd=")).length;
    const before = await clients();

    await a.admin.config("SET", "maxmemory", "1");
    await a.admin.config("SET", "maxmemory-policy", "noeviction");
    await fx.put(name, "2");
    await assert.rejects(refresh(changeEvent(name, "Update")), /OOM/);
    await waitFor("the function's connection closed", async () => (await clients()) === before - 1);
    await a.admin.config("SET", "maxmemory", "0");
    const result = await refresh(changeEvent(name, "Update"));
    assert.equal(result.published.length, 1);
  });
});
