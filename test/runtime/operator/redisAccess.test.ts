import { strict as assert } from "node:assert";
import Redis from "ioredis";
import { freePort, LocalRedisServer } from "../../../runtime/local/servers";
import { REDIS_USER_NAMES } from "../../../runtime/protocol";
import {
  EXIT_CODES,
  exitCodeOf,
  PipelineSettingsError,
  RedisPasswordError,
  UnreachableFromHereError,
} from "../../../runtime/operator/errors";
import { probeRedis, requireRedisFromHere } from "../../../runtime/operator/redis/probeRedis";
import { parseRedisUrl, resolveRedisTarget } from "../../../runtime/operator/redis/redisTarget";
import { SilentServer } from "./support/silentServer";

/** An AUTH token as ElastiCache may generate one: a "#" in it ends a URL's address. */
const PASSWORD = "Zq#7-s3cret/x";

describe("how the commands reach the stream's Redis", function () {
  this.timeout(30_000);

  describe("the URL and the password", () => {
    it("takes a percent-encoded password out of the URL, and shows the address without it", () => {
      const parsed = parseRedisUrl(`rediss://:${encodeURIComponent(PASSWORD)}@master.shop.cache.amazonaws.com:6379`);
      assert.deepEqual(parsed, {
        url: "rediss://master.shop.cache.amazonaws.com:6379",
        label: "rediss://master.shop.cache.amazonaws.com:6379",
        password: PASSWORD,
      });
    });

    it("refuses a URL whose password holds a raw #, saying how to give it instead, without repeating it", () => {
      assert.throws(
        () => parseRedisUrl(`rediss://:${PASSWORD}@master.shop.cache.amazonaws.com:6379`),
        (error: Error) => {
          assert.ok(error instanceof PipelineSettingsError);
          assert.equal(exitCodeOf(error), EXIT_CODES.usage);
          assert.match(
            error.message,
            /^the Redis URL rediss:\/\/\*\*\*@master\.shop\.cache\.amazonaws\.com:6379 holds a "#", which ends a URL's address/,
          );
          assert.match(
            error.message,
            /percent-encode it in the URL \(%23\), or give the password apart: --redis-auth-token-parameter NAME/,
          );
          assert.match(error.message, /CONFIG_REFRESH_REDIS_PASSWORD$/);
          assert.ok(
            !error.message.includes("Zq#7") && !error.message.includes("s3cret"),
            "the message never holds the password",
          );
          return true;
        },
      );
    });

    it("refuses what is not a redis:// or rediss:// URL with a host", () => {
      assert.throws(() => parseRedisUrl("http://127.0.0.1:6379"), /must start with redis:\/\/ or rediss:\/\//);
      assert.throws(() => parseRedisUrl("redis://"), /names no host/);
    });

    it("takes the password from one place: the URL, the variable or the SSM parameter", async () => {
      const read = async (): Promise<string> => PASSWORD;
      const fromParameter = await resolveRedisTarget("redis://127.0.0.1:6379", {
        passwordParameter: { name: "/config-refresh/shop/beta/redis-auth-token", read },
      });
      assert.equal(fromParameter.password, PASSWORD);
      assert.equal(fromParameter.passwordSource, "the parameter /config-refresh/shop/beta/redis-auth-token");
      const fromVariable = await resolveRedisTarget("redis://127.0.0.1:6379", { password: PASSWORD });
      assert.equal(fromVariable.passwordSource, "CONFIG_REFRESH_REDIS_PASSWORD");
      await assert.rejects(
        resolveRedisTarget("redis://:x@127.0.0.1:6379", { password: PASSWORD }),
        /^PipelineSettingsError: the Redis password is given twice \(the URL and CONFIG_REFRESH_REDIS_PASSWORD\): give it once$/,
      );
    });
  });

  describe("a Redis that wants a password holding a #", () => {
    let redis: LocalRedisServer;
    before(async () => {
      redis = await LocalRedisServer.start(undefined, { password: PASSWORD });
    });
    after(() => redis?.dispose());

    it("answers with the password, whether given apart or percent-encoded in the URL", async () => {
      assert.deepEqual(await probeRedis(await resolveRedisTarget(redis.url, { password: PASSWORD })), {
        outcome: "answered",
      });
      const encoded = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}`;
      assert.deepEqual(await probeRedis(await resolveRedisTarget(encoded)), { outcome: "answered" });
    });

    it("says it wants a password when none is given, and that it refused a wrong one (exit 3)", async () => {
      await assert.rejects(requireRedisFromHere(await resolveRedisTarget(redis.url), "dlq replay"), (error: Error) => {
        assert.ok(error instanceof RedisPasswordError);
        assert.equal(exitCodeOf(error), EXIT_CODES.unreachable);
        assert.match(
          error.message,
          new RegExp(
            `^Redis at redis://127\\.0\\.0\\.1:${redis.port} wants a password \\(NOAUTH\\): give the AUTH token with --redis-auth-token-parameter NAME`,
          ),
        );
        return true;
      });
      await assert.rejects(
        requireRedisFromHere(await resolveRedisTarget(redis.url, { password: "not-it" }), "dlq replay"),
        new RegExp(
          `^RedisPasswordError: Redis at redis://127\\.0\\.0\\.1:${redis.port} refused the password from CONFIG_REFRESH_REDIS_PASSWORD as the default user \\(WRONGPASS\\): the component's Redis takes a password only as its user: add --redis-user config-refresh-function \\(for the redisAuthTokenParameterName password\\) or config-refresh-service \\(for redisServicePasswordParameterName's\\), or set CONFIG_REFRESH_REDIS_USER$`,
        ),
      );
    });
  });

  describe("a Redis with the component's users (ElastiCache RBAC)", () => {
    const FUNCTION_PASSWORD = "function-password-0123456789";
    let redis: LocalRedisServer;
    before(async () => {
      // The default user wants a password of its own, as on ElastiCache (where it is switched off).
      redis = await LocalRedisServer.start(undefined, { password: PASSWORD });
      const admin = new Redis(redis.port, "127.0.0.1", { password: PASSWORD });
      await admin.acl("SETUSER", REDIS_USER_NAMES.function, "reset", `>${FUNCTION_PASSWORD}`, "on", "+ping");
      admin.disconnect();
    });
    after(() => redis?.dispose());

    it("authenticates as the user given apart or named in the URL, and refuses two different ones", async () => {
      const given = await resolveRedisTarget(redis.url, {
        password: FUNCTION_PASSWORD,
        user: REDIS_USER_NAMES.function,
      });
      assert.equal(given.url, `redis://127.0.0.1:${redis.port}`, "credentials travel apart from the URL");
      assert.equal(given.user, REDIS_USER_NAMES.function);
      assert.deepEqual(await probeRedis(given), { outcome: "answered" });
      const inUrl = `redis://${REDIS_USER_NAMES.function}@127.0.0.1:${redis.port}`;
      assert.deepEqual(await probeRedis(await resolveRedisTarget(inUrl, { password: FUNCTION_PASSWORD })), {
        outcome: "answered",
      });
      await assert.rejects(
        resolveRedisTarget(inUrl, { user: "someone-else" }),
        /^PipelineSettingsError: the Redis user is given twice \(the URL names config-refresh-function, --redis-user someone-else\): give it once$/,
      );
    });

    it("says which user a refused password was tried as, and hints at the function's user only when none was given", async () => {
      await assert.rejects(
        requireRedisFromHere(await resolveRedisTarget(redis.url, { password: FUNCTION_PASSWORD }), "dlq replay"),
        /as the default user \(WRONGPASS\): the component's Redis takes a password only as its user: add --redis-user config-refresh-function/,
      );
      const wrong = await resolveRedisTarget(redis.url, { password: "not-it", user: REDIS_USER_NAMES.function });
      await assert.rejects(
        requireRedisFromHere(wrong, "dlq replay"),
        /^RedisPasswordError: Redis at redis:\/\/127\.0\.0\.1:\d+ refused the password from CONFIG_REFRESH_REDIS_PASSWORD as config-refresh-function \(WRONGPASS\)$/,
      );
    });
  });

  describe("an address that does not answer", () => {
    it("fails at once naming Redis and where to run the command instead (exit 3)", async () => {
      const silent = await SilentServer.start();
      try {
        const target = await resolveRedisTarget(`redis://${silent.address}`);
        await assert.rejects(requireRedisFromHere(target, "dlq replay"), (error: Error) => {
          assert.ok(error instanceof UnreachableFromHereError);
          assert.equal(exitCodeOf(error), EXIT_CODES.unreachable);
          assert.equal(
            error.message,
            `cannot reach Redis at redis://${silent.address} from this machine (no answer within 3.0 s): ` +
              "the pipeline's Redis and the instances answer only inside its VPC. Run `config-refresh dlq replay` inside the VPC " +
              "instead: a one-off ECS task in the services' subnets with their security group (the stack's serviceSecurityGroupId " +
              "output), or AWS CloudShell in that VPC",
          );
          return true;
        });
      } finally {
        await silent.stop();
      }
    });

    it("tells a refused connection apart: this machine reaches the host, Redis is down there", async () => {
      const target = await resolveRedisTarget(`redis://127.0.0.1:${await freePort()}`);
      assert.deepEqual(await probeRedis(target), { outcome: "refused", detail: "ECONNREFUSED" });
      assert.deepEqual(await requireRedisFromHere(target, "dlq replay"), {
        outcome: "refused",
        detail: "ECONNREFUSED",
      });
    });
  });
});
