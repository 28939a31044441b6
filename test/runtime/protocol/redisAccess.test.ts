import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { createConfigClient, type ConfigClient } from "../../../runtime/client";
import { STALE_REGISTRATION_SCRIPT } from "../../../runtime/lambda/fanout/staleRegistrationScript";
import {
  defaultStreamKey,
  functionAccessString,
  parseAckEntry,
  POWERLESS_ACCESS_STRING,
  REDIS_USER_NAMES,
  serviceAccessString,
  streamKeys,
} from "../../../runtime/protocol";
import { exactKeyPattern } from "../../../runtime/protocol/redisAccess";
import { changeEvent } from "../lambda/support/events";
import { RefreshFixture } from "../lambda/support/refreshFixture";
import { waitFor } from "../client/support/waitFor";

const FUNCTION_PASSWORD = "function-password-0123456789";
const SERVICE_PASSWORD = "service-password-0123456789";

describe("the pipeline's Redis users, with the access strings the component deploys", function () {
  this.timeout(60_000);
  let fx!: RefreshFixture;
  let prefix!: string;
  let streamKey!: string;
  const connections: Redis[] = [];
  const clients: ConfigClient[] = [];

  /** A connection as `username`; `ACL SETUSER` has run on the test's redis-server 7 with the same rules. */
  const as = (username: string, password: string): Redis => {
    const redis = new Redis({
      port: fx.redisServer.port,
      host: "127.0.0.1",
      username,
      password,
      maxRetriesPerRequest: 1,
    });
    redis.on("error", () => undefined);
    connections.push(redis);
    return redis;
  };

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  beforeEach(async () => {
    prefix = fx.newPrefix();
    streamKey = defaultStreamKey(prefix);
    // The same rules ElastiCache gets (redisUsers.ts): ACL SETUSER takes the access string's words.
    await fx.redis.acl(
      "SETUSER",
      REDIS_USER_NAMES.function,
      "reset",
      `>${FUNCTION_PASSWORD}`,
      ...functionAccessString(streamKey).split(" "),
    );
    await fx.redis.acl(
      "SETUSER",
      REDIS_USER_NAMES.service,
      "reset",
      `>${SERVICE_PASSWORD}`,
      ...serviceAccessString(streamKey).split(" "),
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const redis of connections.splice(0)) redis.disconnect();
    await fx.closeHandlers();
  });
  after(async () => fx?.close());

  describe("a service's user", () => {
    it("cannot XADD to the stream, write the published hash or the epoch, nor FLUSHALL", async () => {
      const service = as(REDIS_USER_NAMES.service, SERVICE_PASSWORD);
      const keys = streamKeys(streamKey);
      await assert.rejects(service.xadd(keys.stream, "*", "name", `${prefix}x`), /NOPERM/);
      await assert.rejects(service.hset(keys.published, `${prefix}x`, "{}"), /NOPERM/);
      await assert.rejects(service.set(keys.epoch, "forged"), /NOPERM/);
      await assert.rejects(service.xtrim(keys.stream, "MAXLEN", 0), /NOPERM/);
      await assert.rejects(service.flushall(), /NOPERM/);
      await assert.rejects(service.config("SET", "requirepass", "x"), /NOPERM/);
      await assert.rejects(service.eval("return redis.call('XADD', KEYS[1], '*', 'a', 'b')", 1, keys.stream), /NOPERM/);
      assert.equal(await fx.redis.exists(keys.stream, keys.published, keys.epoch), 0);
    });

    it("reads the stream and its epoch, and writes its acks, and touches no other key", async () => {
      const service = as(REDIS_USER_NAMES.service, SERVICE_PASSWORD);
      const keys = streamKeys(streamKey);
      await fx.redis.xadd(keys.stream, "*", "name", `${prefix}x`);
      await fx.redis.set(keys.epoch, "e1");
      assert.equal((await service.xrange(keys.stream, "-", "+")).length, 1);
      assert.equal(await service.get(keys.epoch), "e1");
      assert.match(String(await service.xadd(keys.acks, "*", "instanceId", "i-1")), /^\d+-\d+$/);
      await assert.rejects(service.get(`${keys.stream}-other`), /NOPERM/);
      await assert.rejects(service.hgetall(keys.unreachable), /NOPERM/);
      await assert.rejects(service.xadd(defaultStreamKey("/other/beta/"), "*", "a", "b"), /NOPERM/);
    });
  });

  describe("the function's user", () => {
    it("publishes a change through the refresh function, reading its user's password from SSM", async () => {
      const passwordParameter = `/config-refresh${prefix}redis-function-password`;
      await fx.put(passwordParameter, FUNCTION_PASSWORD, "SecureString");
      const name = `${prefix}log_level`;
      await fx.put(name, "debug");
      const settings = fx.settings({
        parameterPrefix: prefix,
        redisUser: REDIS_USER_NAMES.function,
        redisAuthTokenParameter: passwordParameter,
      });
      const { refresh } = fx.handler(settings);

      const result = await refresh(changeEvent(name, "Create"));

      assert.equal(result.published.length, 1);
      const [entry] = await fx.readStream(settings);
      assert.equal(entry?.message.value, "debug");
    });

    it("counts stale registrations with its script, and can neither FLUSHALL nor write another key", async () => {
      const fn = as(REDIS_USER_NAMES.function, FUNCTION_PASSWORD);
      const keys = streamKeys(streamKey);
      const due = await fn.eval(STALE_REGISTRATION_SCRIPT, 1, keys.unreachable, Date.now(), 1, 0, 60_000, 1, 1, "i-1");
      assert.deepEqual((due as string[])[0], "i-1");
      await assert.rejects(fn.flushall(), /NOPERM/);
      await assert.rejects(fn.set(`${prefix}elsewhere`, "x"), /NOPERM/);
      await assert.rejects(fn.xadd(keys.acks, "*", "instanceId", "forged"), /NOPERM/);
    });
  });

  it("a client connected as the service's user applies what the function's user published, and acknowledges it", async () => {
    const name = `${prefix}log_level`;
    await fx.put(name, "info");
    const client = await createConfigClient({
      parameterPath: prefix,
      ssm: fx.ssm,
      instanceId: "i-acl",
      redis: {
        host: "127.0.0.1",
        port: fx.redisServer.port,
        username: REDIS_USER_NAMES.service,
        password: SERVICE_PASSWORD,
      },
      stream: { blockMs: 200, reconnect: { minDelayMs: 50, maxDelayMs: 250 }, startTimeoutMs: 2_000 },
    });
    clients.push(client as unknown as ConfigClient);
    const passwordParameter = `/config-refresh${prefix}redis-function-password`;
    await fx.put(passwordParameter, FUNCTION_PASSWORD, "SecureString");
    const { refresh } = fx.handler(
      fx.settings({
        parameterPrefix: prefix,
        redisUser: REDIS_USER_NAMES.function,
        redisAuthTokenParameter: passwordParameter,
      }),
    );

    await fx.put(name, "warn");
    await refresh(changeEvent(name, "Update"));

    await waitFor("the change on the client", () => client.get("log_level") === "warn");
    const acks = async () =>
      (await fx.redis.xrange(streamKeys(streamKey).acks, "-", "+"))
        .map(([id, fields]) => parseAckEntry(id, fields))
        .flatMap((parsed) => (parsed.ok ? [parsed.ack] : []));
    await waitFor("its ack of the change", async () => (await acks()).some((a) => a.via === "stream"));
    const ack = (await acks()).find((a) => a.via === "stream");
    assert.equal(ack?.instanceId, "i-acl");
    assert.equal(ack?.name, name);
  });

  it("the powerless default user cannot authenticate, and a connection without a user name can run nothing", async () => {
    const admin = "config-refresh-test-admin";
    await fx.redis.acl("SETUSER", admin, "reset", "on", ">admin-password-0123", "~*", "&*", "+@all");
    const asAdmin = as(admin, "admin-password-0123");
    try {
      await asAdmin.acl("SETUSER", "default", "reset", ...POWERLESS_ACCESS_STRING.split(" "));
      const anonymous = new Redis({
        port: fx.redisServer.port,
        host: "127.0.0.1",
        maxRetriesPerRequest: 0,
        lazyConnect: true,
        enableReadyCheck: false,
      });
      anonymous.on("error", () => undefined);
      connections.push(anonymous);
      await anonymous.connect().catch(() => undefined);
      await assert.rejects(anonymous.get("x"), /NOAUTH|NOPERM/);
    } finally {
      await asAdmin.acl("SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all");
      await asAdmin.acl("DELUSER", admin);
    }
  });

  it("names keys exactly: glob characters in a stream key are escaped, whitespace refused", () => {
    assert.equal(exactKeyPattern("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    assert.throws(() => exactKeyPattern("a b"), /whitespace/);
  });
});
