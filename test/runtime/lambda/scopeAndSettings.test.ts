import { strict as assert } from "node:assert";
import { LambdaSettingsError, lambdaEnvironment, readLambdaSettings } from "../../../runtime/lambda";
import { createRefreshMetrics, recordRefreshMetrics } from "../../../runtime/lambda/observability";

describe("refresh Lambda settings at cold start", () => {
  it("names every missing or wrong variable in one clear error", () => {
    assert.throws(
      () => readLambdaSettings({ CONFIG_REFRESH_PARAMETER_PREFIX: "shop/beta" }),
      (error: Error) => {
        assert.ok(error instanceof LambdaSettingsError);
        assert.match(error.message, /CONFIG_REFRESH_PARAMETER_PREFIX: must look like/);
        assert.match(error.message, /CONFIG_REFRESH_REDIS_URL: is not set/);
        return true;
      },
    );
  });

  it("reports a problem spanning several variables in the same error as a per-variable one", () => {
    const env = {
      CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:1",
      CONFIG_REFRESH_NAMESPACE: "ns",
      CONFIG_REFRESH_STREAM_MAXLEN: "-3",
    };
    assert.throws(
      () => readLambdaSettings(env),
      (error: Error) => {
        assert.match(error.message, /CONFIG_REFRESH_PARAMETER_PREFIX: is not set/);
        assert.match(error.message, /CONFIG_REFRESH_STREAM_MAXLEN: /);
        assert.match(error.message, /CONFIG_REFRESH_NAMESPACE and CONFIG_REFRESH_SERVICE go together/);
        assert.match(error.message, /the gRPC fan-out needs CONFIG_REFRESH_TOKEN_PARAMETER/);
        return true;
      },
    );
  });

  it("refuses a Cloud Map fan-out without a refresh token parameter", () => {
    const env = {
      CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/",
      CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:1",
      CONFIG_REFRESH_NAMESPACE: "ns",
      CONFIG_REFRESH_SERVICE: "web",
    };
    assert.throws(() => readLambdaSettings(env), /the gRPC fan-out needs CONFIG_REFRESH_TOKEN_PARAMETER/);
  });

  it("round-trips through the environment the component sets", () => {
    const env = lambdaEnvironment({
      parameterPrefix: "/shop/beta/",
      redisUrl: "redis://127.0.0.1:1",
      rpcDeadlineMs: 750,
      scopePattern: "/shop/beta/tenants/{tenant}/",
    });
    const settings = readLambdaSettings(env);
    assert.deepEqual(
      [settings.streamKey, settings.rpcDeadlineMs, settings.rpcRetries, settings.streamMaxLength],
      ["config-refresh:{/shop/beta/}", 750, 1, 10_000],
    );
  });
});

describe("refresh Lambda metrics (Powertools EMF)", () => {
  it("writes the counts and latencies of an invocation in the ConfigRefresh namespace", () => {
    const metrics = createRefreshMetrics();
    const change = {
      format: 1 as const,
      name: "/p/x",
      operation: "Update" as const,
      version: 2,
      type: "String" as const,
      value: "v",
      modifiedAt: 1_000,
      changedAt: 1_000,
      publishedAt: 1_250,
      streamId: "1-0",
    };
    recordRefreshMetrics(metrics, {
      published: [change],
      skipped: [
        { name: "/q/x", reason: "outside-prefix" },
        { name: "/p/y", reason: "duplicate" },
      ],
      rejected: [],
      fanOutErrors: [],
      cappedDiscoveries: [],
      deregistered: [],
      instances: [
        { instanceId: "a", address: "127.0.0.1:1", outcome: "ACK", results: [], attempts: 1, latencyMs: 12 },
        {
          instanceId: "b",
          address: "127.0.0.1:2",
          outcome: "unreachable",
          results: [],
          attempts: 2,
          latencyMs: 800,
          error: "DEADLINE_EXCEEDED",
        },
      ],
    });

    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
      };
    };
    metrics.clearMetrics();

    const [directive] = emf._aws.CloudWatchMetrics;
    assert.equal(directive?.Namespace, "ConfigRefresh");
    assert.deepEqual(directive?.Dimensions, [["service"]]);
    assert.equal(emf.service, "config-refresh");
    const units = Object.fromEntries(directive!.Metrics.map((m) => [m.Name, m.Unit]));
    assert.deepEqual(
      [units.Published, units.EventToPublishLatency, units.RefreshCallLatency],
      ["Count", "Milliseconds", "Milliseconds"],
    );
    assert.deepEqual(
      [
        emf.Published,
        emf.Duplicates,
        emf.Skipped,
        emf.Acked,
        emf.Nacked,
        emf.Unreachable,
        emf.EventToPublishLatency,
        emf.RefreshCallLatency,
      ],
      [1, 1, 1, 1, 0, 1, 250, 12],
    );
  });
});
