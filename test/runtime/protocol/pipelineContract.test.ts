import { strict as assert } from "node:assert";
import { PipelineArgsError, resolvePipelineSettings } from "../../../components/pipeline/settings";
import type { ConfigRefreshPipelineArgs } from "../../../components/pipeline/args";
import { LambdaSettingsError, readLambdaSettings } from "../../../runtime/lambda";
import { PipelineSettingsError } from "../../../runtime/operator/errors";
import { pipelineNames } from "../../../runtime/operator/pipeline/pipelineNames";
import {
  defaultPipelineNames,
  PIPELINE_CONTRACT_DEFAULTS,
  PIPELINE_CONTRACT_LIMITS,
} from "../../../runtime/protocol/pipelineContract";

const component = (args: Partial<ConfigRefreshPipelineArgs> = {}) =>
  resolvePipelineSettings("shop-beta", { app: "shop", appConfigFile: "app_config_beta.yaml", ...args }, "beta");
const lambda = (env: Record<string, string> = {}) =>
  readLambdaSettings({
    CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/",
    CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:1",
    ...env,
  });

describe("the pipeline contract", () => {
  describe("default names", () => {
    it("are the same for the component, the local pipeline and the commands", () => {
      const contract = defaultPipelineNames("shop", "beta");
      const settings = component();
      assert.deepEqual(
        {
          prefix: settings.prefix,
          ...settings.registry,
          streamKey: settings.stream.key,
          redisAuthTokenParameterName: settings.redis.functionPasswordParameterName,
          redisServicePasswordParameterName: settings.redis.servicePasswordParameterName,
        },
        contract,
      );
      const local = pipelineNames("shop", "beta");
      assert.deepEqual(
        [local.prefix, local.namespaceName, local.serviceName, local.refreshTokenParameter, local.streamKey],
        [
          contract.prefix,
          contract.namespaceName,
          contract.serviceName,
          contract.refreshTokenParameterName,
          contract.streamKey,
        ],
      );
      assert.equal(lambda().streamKey, contract.streamKey);
    });

    it("spell out what the README and the operators rely on", () => {
      assert.deepEqual(defaultPipelineNames("shop", "beta"), {
        prefix: "/shop/beta/",
        namespaceName: "config-refresh-shop-beta",
        serviceName: "shop",
        refreshTokenParameterName: "/config-refresh/shop/beta/refresh-token",
        redisAuthTokenParameterName: "/config-refresh/shop/beta/redis-auth-token",
        redisServicePasswordParameterName: "/config-refresh/shop/beta/redis-service-password",
        streamKey: "config-refresh:{/shop/beta/}",
      });
    });
  });

  describe("defaults and limits", () => {
    it("give the component and the Lambda the same stream length, RPC deadline and retries, and the refresh port", () => {
      const settings = component();
      const runtime = lambda();
      assert.deepEqual(
        [
          settings.stream.maxLength,
          settings.refreshFunction.rpcDeadlineMs,
          settings.refreshFunction.rpcRetries,
          settings.refreshPort,
        ],
        [
          PIPELINE_CONTRACT_DEFAULTS.streamMaxLength,
          PIPELINE_CONTRACT_DEFAULTS.rpcDeadlineMs,
          PIPELINE_CONTRACT_DEFAULTS.rpcRetries,
          PIPELINE_CONTRACT_DEFAULTS.refreshPort,
        ],
      );
      assert.deepEqual(
        [runtime.streamMaxLength, runtime.rpcDeadlineMs, runtime.rpcRetries],
        [
          PIPELINE_CONTRACT_DEFAULTS.streamMaxLength,
          PIPELINE_CONTRACT_DEFAULTS.rpcDeadlineMs,
          PIPELINE_CONTRACT_DEFAULTS.rpcRetries,
        ],
      );
    });

    const ends: [
      string,
      keyof typeof PIPELINE_CONTRACT_LIMITS,
      (value: number) => Partial<ConfigRefreshPipelineArgs>,
      string,
    ][] = [
      ["stream length", "streamMaxLength", (v) => ({ stream: { maxLength: v } }), "CONFIG_REFRESH_STREAM_MAXLEN"],
      [
        "RPC deadline",
        "rpcDeadlineMs",
        (v) => ({ refreshFunction: { rpcDeadlineMs: v, timeoutSeconds: 900 } }),
        "CONFIG_REFRESH_RPC_DEADLINE_MS",
      ],
      ["RPC retry count", "rpcRetries", (v) => ({ refreshFunction: { rpcRetries: v } }), "CONFIG_REFRESH_RPC_RETRIES"],
    ];
    for (const [what, setting, args, variable] of ends) {
      it(`accepts the ${what}'s bounds and refuses one past each, at both ends`, () => {
        const { min, max } = PIPELINE_CONTRACT_LIMITS[setting];
        for (const value of [min, max]) {
          assert.doesNotThrow(() => component(args(value)), `component, ${value}`);
          assert.doesNotThrow(() => lambda({ [variable]: String(value) }), `Lambda, ${value}`);
        }
        for (const value of [min - 1, max + 1]) {
          assert.throws(() => component(args(value)), PipelineArgsError, `component, ${value}`);
          assert.throws(
            () => lambda({ [variable]: String(value) }),
            (error: Error) => error instanceof LambdaSettingsError && error.message.includes(variable),
          );
        }
      });
    }
  });

  describe("the local pipeline's names", () => {
    it("take overrides and refuse, with the component's sentences, what the component refuses", () => {
      assert.equal(pipelineNames("shop", "beta", { serviceName: "shop-api" }).serviceName, "shop-api");
      assert.throws(
        () => pipelineNames("shop", "beta", { serviceName: "shop api" }),
        (error: Error) => {
          assert.ok(error instanceof PipelineSettingsError);
          assert.throws(
            () => component({ serviceName: "shop api" }),
            (componentError: PipelineArgsError) => componentError.problems.some((p) => error.message.includes(p)),
          );
          return true;
        },
      );
      assert.throws(() => pipelineNames("my shop", "beta"), /app: segment "my shop" has characters SSM refuses/);
      assert.throws(
        () => pipelineNames("shop", "beta", { refreshTokenParameter: "/shop/beta/token" }),
        /lies under the parameter prefix/,
      );
    });
  });
});
