import { strict as assert } from "node:assert";
import {
  ErrorCode,
  OpenFeature,
  ProviderEvents,
  ProviderFatalError,
  ProviderStatus,
  StandardResolutionReasons,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
} from "@openfeature/server-sdk";
import type { Redis } from "ioredis";
import { z } from "zod";
import { ssmBoolean, type ConfigClient } from "../../../runtime/client";
import { ConfigRefreshProvider, PROVIDER_NAME, ProviderOptionsError } from "../../../runtime/openfeature";
import {
  ClientPool,
  MemoryLogger,
  uniquePath,
  useTestEnvironment,
  type TestEnvironment,
} from "../client/support/environment";
import { putParameter, putParameters } from "../client/support/parameters";
import { waitFor } from "../client/support/waitFor";
import { listenToEvents, resetOpenFeature } from "./support/openFeature";

const SECRET = "s3cret-passw0rd";

/** The names of the Redis connections open right now (`CLIENT LIST`). */
async function connectionNames(admin: Redis): Promise<string[]> {
  const list = (await admin.call("CLIENT", "LIST")) as string;
  return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1] as string);
}

/** The details minus `flagKey` (every evaluation echoes it), for deepEqual. */
function withoutKey<T extends FlagValue>(details: EvaluationDetails<T>): Omit<EvaluationDetails<T>, "flagKey"> {
  const { flagKey: _flagKey, ...rest } = details;
  return rest;
}

describe("flag evaluation through OpenFeature", () => {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  afterEach(resetOpenFeature);
  useTestEnvironment(clients, (started) => (env = started));

  const path = uniquePath();
  before(async () => {
    await putParameter(env.ssm, `${path}features/on`, "false");
    await putParameters(env.ssm, path, {
      "features/on": "true", // version 2
      "features/off": "false",
      "features/capitalized": "True",
      log_level: "info",
      "http/timeout_ms": "3000",
      "rollout/ratio": "-0.25",
      "retry/unit": "5 ms",
      "checkout/limits": '{"maxItems":10,"currencies":["EUR","USD"]}',
      "checkout/steps": '["cart","pay"]',
      "checkout/broken": '{"maxItems":',
      "cors/allowed_origins": ["https://a.example,https://b.example", "StringList"],
      "database/password": [SECRET, "SecureString"],
    });
  });

  /** A client on the seeded path (a schema for two keys: the provider reads the SSM text either way). */
  function startClient(instanceId?: string) {
    return clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema: { "features/on": ssmBoolean(), log_level: z.enum(["debug", "info", "warn", "error"]) },
      ...(instanceId ? { instanceId } : {}),
    });
  }

  describe("of a provider that wraps a started client", () => {
    let client: Awaited<ReturnType<typeof startClient>>;
    beforeEach(async () => {
      client = await startClient();
      await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client }));
    });

    it("names itself config-refresh-pipeline, runs on the server and is ready once set", () => {
      assert.equal(OpenFeature.providerMetadata.name, PROVIDER_NAME);
      assert.equal(PROVIDER_NAME, "config-refresh-pipeline");
      assert.equal(new ConfigRefreshProvider({ client }).runsOn, "server");
      assert.equal(OpenFeature.getClient().providerStatus, ProviderStatus.READY);
    });

    it("resolves true and false as booleans, with the SSM version in flagMetadata and reason STATIC", async () => {
      const flags = OpenFeature.getClient();
      assert.deepEqual(withoutKey(await flags.getBooleanDetails("features/on", false)), {
        value: true,
        reason: StandardResolutionReasons.STATIC,
        flagMetadata: { version: 2 },
      });
      const off = await flags.getBooleanDetails("features/off", true);
      assert.equal(off.value, false);
      assert.equal(off.errorCode, undefined);
      assert.deepEqual(off.flagMetadata, { version: 1 });
      assert.equal(await flags.getBooleanValue("features/on", false), true);
    });

    it("resolves any parameter as its SSM text when asked for a string, a StringList comma-joined", async () => {
      const flags = OpenFeature.getClient();
      assert.equal(await flags.getStringValue("log_level", "warn"), "info");
      assert.equal(await flags.getStringValue("features/on", ""), "true", "the text, not the schema's boolean");
      assert.equal(await flags.getStringValue("cors/allowed_origins", ""), "https://a.example,https://b.example");
      const details = await flags.getStringDetails("checkout/limits", "");
      assert.equal(details.value, '{"maxItems":10,"currencies":["EUR","USD"]}');
      assert.equal(details.reason, StandardResolutionReasons.STATIC);
    });

    it("resolves decimal numbers", async () => {
      const flags = OpenFeature.getClient();
      assert.deepEqual(withoutKey(await flags.getNumberDetails("http/timeout_ms", 0)), {
        value: 3000,
        reason: StandardResolutionReasons.STATIC,
        flagMetadata: { version: 1 },
      });
      assert.equal(await flags.getNumberValue("rollout/ratio", 0), -0.25);
    });

    it("resolves JSON objects and arrays, handing out the same frozen value on every evaluation", async () => {
      const flags = OpenFeature.getClient();
      const first = await flags.getObjectDetails("checkout/limits", {});
      assert.deepEqual(first.value, { maxItems: 10, currencies: ["EUR", "USD"] });
      assert.equal(first.reason, StandardResolutionReasons.STATIC);
      assert.deepEqual(first.flagMetadata, { version: 1 });
      const second = await flags.getObjectValue("checkout/limits", {});
      assert.equal(second, first.value, "parsed once, when the version arrived");
      assert.ok(Object.isFrozen(second) && Object.isFrozen((second as { currencies: string[] }).currencies));
      assert.deepEqual(await flags.getObjectValue("checkout/steps", []), ["cart", "pay"]);
    });

    it("answers FLAG_NOT_FOUND with the caller's default for a key the client does not hold, or a full name", async () => {
      const flags = OpenFeature.getClient();
      for (const key of ["features/none", `${path}features/on`]) {
        const details = await flags.getBooleanDetails(key, true);
        assert.equal(details.value, true, key);
        assert.equal(details.reason, StandardResolutionReasons.ERROR, key);
        assert.equal(details.errorCode, ErrorCode.FLAG_NOT_FOUND, key);
        assert.match(details.errorMessage ?? "", /relative to that path/);
      }
      assert.equal((await flags.getObjectDetails("features/none", { a: 1 })).errorCode, ErrorCode.FLAG_NOT_FOUND);
    });

    it("answers TYPE_MISMATCH with the caller's default for a value of another type, keeping its version", async () => {
      const flags = OpenFeature.getClient();
      const cases: [string, () => Promise<EvaluationDetails<FlagValue>>, FlagValue][] = [
        ["log_level as a boolean", () => flags.getBooleanDetails("log_level", false), false],
        ['"True" as a boolean', () => flags.getBooleanDetails("features/capitalized", false), false],
        ["a number as a boolean", () => flags.getBooleanDetails("http/timeout_ms", true), true],
        ["log_level as a number", () => flags.getNumberDetails("log_level", 7), 7],
        ['"5 ms" as a number', () => flags.getNumberDetails("retry/unit", 7), 7],
        ["a boolean as a number", () => flags.getNumberDetails("features/on", 7), 7],
        ["text as an object", () => flags.getObjectDetails("log_level", { fallback: true }), { fallback: true }],
        ["a JSON number as an object", () => flags.getObjectDetails("http/timeout_ms", []), []],
        ["a JSON boolean as an object", () => flags.getObjectDetails("features/on", {}), {}],
      ];
      for (const [what, evaluate, fallback] of cases) {
        const details = await evaluate();
        assert.deepEqual(details.value, fallback, what);
        assert.equal(details.errorCode, ErrorCode.TYPE_MISMATCH, what);
        assert.equal(details.reason, StandardResolutionReasons.ERROR, what);
        assert.equal(typeof details.flagMetadata.version, "number", what);
      }
    });

    it("answers PARSE_ERROR for text that opens a JSON object and does not parse, without quoting it", async () => {
      const details = await OpenFeature.getClient().getObjectDetails("checkout/broken", { maxItems: 1 });
      assert.deepEqual(details.value, { maxItems: 1 });
      assert.equal(details.errorCode, ErrorCode.PARSE_ERROR);
      assert.deepEqual(details.flagMetadata, { version: 1 });
      assert.ok(!(details.errorMessage ?? "").includes("maxItems"), details.errorMessage);
    });

    it("serves no SecureString: FLAG_NOT_FOUND, and the secret appears nowhere in what the SDK hands out", async () => {
      const seen: unknown[] = [];
      OpenFeature.addHooks({ finally: (_context, details) => void seen.push(details) });
      const flags = OpenFeature.getClient();
      const details = await flags.getStringDetails("database/password", "none");
      assert.equal(details.value, "none");
      assert.equal(details.errorCode, ErrorCode.FLAG_NOT_FOUND);
      assert.match(details.errorMessage ?? "", /SecureString/);
      await flags.getObjectDetails("database/password", {});
      assert.ok(!JSON.stringify(seen).includes(SECRET));
    });

    it("hands hooks the provider's name, the version after a resolution and the error code after a failure", async () => {
      const after: [string, unknown][] = [];
      const errors: [string, unknown][] = [];
      const hook: Hook = {
        after: (context, details) => void after.push([context.providerMetadata.name, details.flagMetadata.version]),
        error: (context, error) => void errors.push([context.flagKey, (error as { code?: string }).code]),
      };
      const flags = OpenFeature.getClient();
      flags.addHooks(hook);
      await flags.getBooleanValue("features/on", false);
      await flags.getNumberValue("log_level", 0);
      assert.deepEqual(after, [[PROVIDER_NAME, 2]]);
      assert.deepEqual(errors, [["log_level", ErrorCode.TYPE_MISMATCH]]);
    });

    it("reads a snapshot: evaluations make no SSM call and answer while Redis is frozen", async () => {
      let ssmCalls = 0;
      env.ssm.middlewareStack.add(
        (next) => (args) => {
          ssmCalls++;
          return next(args);
        },
        { step: "initialize", name: "countSsmCalls" },
      );
      env.redis.pause();
      try {
        const flags = OpenFeature.getClient();
        for (let i = 0; i < 1_000; i++) {
          assert.equal(await flags.getBooleanValue("features/on", false), true);
          assert.equal(await flags.getNumberValue("http/timeout_ms", 0), 3000);
        }
      } finally {
        env.redis.resume();
        env.ssm.middlewareStack.remove("countSsmCalls");
      }
      assert.equal(ssmCalls, 0);
    });
  });

  describe("of a provider that starts its own client", () => {
    it("starts the client from its options when set, and OpenFeature's close() closes it", async () => {
      const instanceId = `of-own-${process.pid}`;
      await OpenFeature.setProviderAndWait(
        new ConfigRefreshProvider({
          clientOptions: {
            parameterPath: path,
            ssm: env.ssm,
            redis: env.redis.url,
            instanceId,
            logger: new MemoryLogger(),
          },
        }),
      );
      assert.equal(await OpenFeature.getClient().getBooleanValue("features/on", false), true);
      assert.ok((await connectionNames(env.admin)).includes(`config-refresh:${instanceId}:stream`));

      await OpenFeature.close();
      await waitFor(
        "the started client's connections closed",
        async () =>
          !(await connectionNames(env.admin)).some((name) => name.startsWith(`config-refresh:${instanceId}:`)),
      );
    });

    it("closes only what it started: a client it was given stays open after OpenFeature's close()", async () => {
      const instanceId = `of-given-${process.pid}`;
      const client = await startClient(instanceId);
      await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client }));
      await OpenFeature.close();
      assert.ok((await connectionNames(env.admin)).includes(`config-refresh:${instanceId}:stream`));
      await client.reload(); // throws ConfigClientClosedError once the client is closed
    });

    it("fails fatally when its client cannot start: PROVIDER_ERROR, then the caller's default", async () => {
      const heard = listenToEvents();
      const provider = new ConfigRefreshProvider({
        clientOptions: {
          parameterPath: path,
          ssm: env.ssm,
          redis: env.redis.url,
          logger: new MemoryLogger(),
          schema: { "features/required_but_missing": ssmBoolean() },
        },
      });
      await assert.rejects(OpenFeature.setProviderAndWait(provider), (error: Error) => {
        assert.ok(error instanceof ProviderFatalError);
        assert.match(error.message, /could not start its configuration client: ConfigValidationError/);
        assert.match(error.message, /features\/required_but_missing/);
        return true;
      });
      const errors = heard.filter((event) => event.type === ProviderEvents.Error);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]?.details?.message), /features\/required_but_missing/);
      const flags = OpenFeature.getClient();
      assert.equal(flags.providerStatus, ProviderStatus.FATAL);
      const details = await flags.getBooleanDetails("features/on", false);
      assert.equal(details.value, false);
      assert.equal(details.errorCode, ErrorCode.PROVIDER_FATAL);
    });
  });

  describe("given options it cannot use", () => {
    it("refuses them, naming every problem", () => {
      assert.throws(
        () =>
          new ConfigRefreshProvider({
            client: {} as ConfigClient,
            clientOptions: { parameterPath: path, ssm: env.ssm, redis: env.redis.url },
            staleAfterMs: -1,
          } as never),
        (error: Error) => {
          assert.ok(error instanceof ProviderOptionsError);
          assert.deepEqual(error.problems.length, 2);
          assert.match(error.message, /client and clientOptions conflict/);
          assert.match(error.message, /staleAfterMs must be a number of milliseconds, 0 or more \(got -1\)/);
          return true;
        },
      );
      assert.throws(
        () => new ConfigRefreshProvider({} as never),
        /pass client \(a started ConfigClient\) or clientOptions/,
      );
      assert.throws(
        () => new ConfigRefreshProvider({ client: { get: () => 1 } } as never),
        /client is not a ConfigClient/,
      );
    });
  });
});
