import { strict as assert } from "node:assert";
import { LambdaSettingsError, lambdaEnvironment, readLambdaSettings } from "../../../runtime/lambda";
import { FAN_OUT_DEFAULTS } from "../../../runtime/lambda/environment";

describe("refresh Lambda settings of the fan-out's bounds", () => {
  const base = { parameterPrefix: "/shop/beta/", redisUrl: "redis://127.0.0.1:1" };

  it("bounds the calls in flight to 128 by default, deregisters after 3 invocations and 5 minutes, and asks Cloud Map for 1000", () => {
    const settings = readLambdaSettings(lambdaEnvironment(base));
    assert.deepEqual(
      [
        settings.fanOutConcurrency,
        settings.staleAfterInvocations,
        settings.staleAfterMs,
        settings.discoveryMaxResults,
        settings.serviceId,
      ],
      [128, 3, 300_000, 1000, undefined],
    );
    assert.deepEqual(FAN_OUT_DEFAULTS, {
      concurrency: 128,
      staleAfterInvocations: 3,
      staleAfterMs: 300_000,
      discoveryMaxResults: 1000,
    });
  });

  it("round-trips through the environment the component sets", () => {
    const env = lambdaEnvironment({
      ...base,
      fanOutConcurrency: 32,
      serviceId: "srv-0123",
      staleAfterInvocations: 5,
      staleAfterMs: 60_000,
      discoveryMaxResults: 10,
    });
    assert.deepEqual(
      Object.keys(env)
        .filter((name) => /FANOUT|SERVICE_ID|STALE|DISCOVERY/.test(name))
        .sort(),
      [
        "CONFIG_REFRESH_DISCOVERY_MAX_RESULTS",
        "CONFIG_REFRESH_FANOUT_CONCURRENCY",
        "CONFIG_REFRESH_SERVICE_ID",
        "CONFIG_REFRESH_STALE_AFTER_INVOCATIONS",
        "CONFIG_REFRESH_STALE_AFTER_MS",
      ],
    );
    const settings = readLambdaSettings(env);
    assert.deepEqual(
      [
        settings.fanOutConcurrency,
        settings.serviceId,
        settings.staleAfterInvocations,
        settings.staleAfterMs,
        settings.discoveryMaxResults,
      ],
      [32, "srv-0123", 5, 60_000, 10],
    );
  });

  it("names a bound AWS or the function cannot honour, with the reason", () => {
    const env = {
      ...lambdaEnvironment(base),
      CONFIG_REFRESH_FANOUT_CONCURRENCY: "2000",
      CONFIG_REFRESH_DISCOVERY_MAX_RESULTS: "5000",
    };
    assert.throws(
      () => readLambdaSettings(env),
      (error: Error) => {
        assert.ok(error instanceof LambdaSettingsError);
        assert.match(
          error.message,
          /CONFIG_REFRESH_FANOUT_CONCURRENCY: at most 512: each call holds a socket and a Lambda has 1,024 file descriptors/,
        );
        assert.match(error.message, /CONFIG_REFRESH_DISCOVERY_MAX_RESULTS: at most 1000 \(Cloud Map's cap\)/);
        return true;
      },
    );
    assert.throws(
      () => readLambdaSettings({ ...lambdaEnvironment(base), CONFIG_REFRESH_STALE_AFTER_INVOCATIONS: "0" }),
      /CONFIG_REFRESH_STALE_AFTER_INVOCATIONS/,
    );
  });
});
