import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { lambdaEnvironment, type RefreshResult } from "../../../runtime/lambda";
import { LOCAL_AWS } from "../../../runtime/local/servers";
import { REFRESH_PROTO_PATH } from "../../../runtime/protocol";
import { changeEvent } from "./support/events";
import { startTestInstance, type TestInstance } from "./support/instances";
import { RefreshFixture } from "./support/refreshFixture";

/** Runs the bundle's `handler` in a fresh Node process (a Lambda container) over `events`, one invocation each. */
const INVOKER = `
const { handler } = require(process.argv[2]);
const events = JSON.parse(process.env.TEST_EVENTS);
const context = (i) => ({
  functionName: "config-refresh-beta", functionVersion: "$LATEST", memoryLimitInMB: "256", awsRequestId: "req-" + i,
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:config-refresh-beta", logGroupName: "g", logStreamName: "s",
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
});
(async () => {
  for (const [i, event] of events.entries()) {
    try {
      process.stdout.write("RESULT " + JSON.stringify(await handler(event, context(i))) + "\\n");
    } catch (error) {
      process.stdout.write("THROWN " + JSON.stringify({ name: error.name, message: error.message }) + "\\n");
    }
  }
  process.exit(0);
})();
`;

describe("refresh Lambda as deployed: the esbuild bundle of runtime/lambda/index.ts in its own process", function () {
  let fx: RefreshFixture;
  let dir: string;
  let instance: TestInstance | undefined;

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(path.join(tmpdir(), "crp-lambda-bundle-"));
    const [fixture] = await Promise.all([
      RefreshFixture.start(),
      build({
        entryPoints: [path.join(__dirname, "../../../runtime/lambda/index.ts")],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        outfile: path.join(dir, "index.js"),
        logLevel: "silent",
      }),
    ]);
    fx = fixture;
    copyFileSync(REFRESH_PROTO_PATH, path.join(dir, "refresh.proto"));
    writeFileSync(path.join(dir, "invoke.js"), INVOKER);
  });
  after(async () => {
    await instance?.stop();
    await fx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function invoke(
    env: Record<string, string>,
    events: unknown[],
  ): Promise<{
    results: (RefreshResult | { name: string; message: string })[];
    lines: Record<string, unknown>[];
    stdout: string;
  }> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith("CONFIG_REFRESH_") && !key.startsWith("POWERTOOLS_"),
      ),
    );
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(dir, "invoke.js"), path.join(dir, "index.js")],
        {
          env: {
            // What the Lambda runtime sets (Powertools reads it to report cold starts).
            ...base,
            ...env,
            TEST_EVENTS: JSON.stringify(events),
            AWS_REGION: LOCAL_AWS.region,
            AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
            AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          if (error) return reject(error);
          const results = stdout
            .split("\n")
            .filter((l) => /^(RESULT|THROWN) /.test(l))
            .map((l) => JSON.parse(l.slice(7)) as RefreshResult);
          // Powertools writes ERROR lines to stderr; CloudWatch gets both.
          const lines = `${stdout}\n${stderr}`
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as Record<string, unknown>);
          resolve({ results, lines, stdout: `${stdout}\n${stderr}` });
        },
      );
    });
  }

  it("loads no @pulumi module", () => {
    assert.ok(!readFileSync(path.join(dir, "index.js"), "utf8").includes("@pulumi/"));
  });

  it("fails every invocation with an error naming the wrong variable, and logs it, when the environment is invalid", async () => {
    const { results, lines } = await invoke({ CONFIG_REFRESH_PARAMETER_PREFIX: "/shop/beta/" }, [
      changeEvent("/shop/beta/x", "Update"),
    ]);
    assert.equal((results[0] as { name: string }).name, "LambdaSettingsError");
    assert.match((results[0] as { message: string }).message, /CONFIG_REFRESH_REDIS_URL: is not set/);
    assert.ok(lines.some((l) => l.message === "the function cannot start" && l.level === "ERROR"));
  });

  it("publishes, refreshes the instance through refresh.proto beside the bundle, and writes Powertools JSON logs and EMF metrics", async () => {
    const prefix = fx.newPrefix();
    const token = `bundle-token-${process.pid}`;
    const tokenParameter = `/config-refresh${prefix}token`;
    await fx.put(tokenParameter, token, "SecureString");
    const { namespaceName, serviceName, serviceId } = await fx.createService();
    instance = await startTestInstance("i-bundle", [token]);
    await fx.registerInstance(serviceId, "i-bundle", {
      AWS_INSTANCE_IPV4: "127.0.0.1",
      AWS_INSTANCE_PORT: String(instance.port),
    });
    const name = `${prefix}log_level`;
    await fx.put(name, "debug");
    const event = changeEvent(name, "Create");
    const env = lambdaEnvironment({
      parameterPrefix: prefix,
      redisUrl: fx.redisServer.url,
      awsEndpoint: fx.moto.endpoint,
      namespaceName,
      serviceName,
      refreshTokenParameter: tokenParameter,
    });

    const { results, lines, stdout } = await invoke(env, [event, event]);

    const [first, second] = results as RefreshResult[];
    assert.deepEqual(
      first?.published.map((c) => [c.name, c.version]),
      [[name, 1]],
    );
    assert.deepEqual(
      first?.instances.map((i) => [i.instanceId, i.outcome]),
      [["i-bundle", "ACK"]],
    );
    assert.deepEqual(
      second?.skipped,
      [{ name, reason: "duplicate" }],
      "the same container, the same event: nothing new",
    );
    assert.equal(instance.calls.length, 1);

    const published = lines.filter((l) => l.message === "published");
    assert.equal(published.length, 1);
    assert.deepEqual(
      [
        published[0]?.service,
        published[0]?.cold_start,
        published[0]?.function_request_id,
        published[0]?.parameterPrefix,
      ],
      ["config-refresh", true, "req-0", prefix],
    );
    const done = lines.filter((l) => l.message === "refresh done");
    assert.deepEqual(
      done.map((l) => [l.cold_start, l.function_request_id]),
      [
        [true, "req-0"],
        [false, "req-1"],
      ],
    );

    const emf = lines.filter((l) => typeof l._aws === "object");
    const namespaces = emf.map(
      (l) => (l._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace,
    );
    assert.ok(namespaces.every((ns) => ns === "ConfigRefresh"));
    assert.ok(
      emf.some((l) => l.ColdStart === 1),
      "the cold start is counted",
    );
    assert.deepEqual(
      emf.filter((l) => "Published" in l).map((l) => [l.Published, l.Duplicates, l.Acked]),
      [
        [1, 0, 1],
        [0, 1, 0],
      ],
    );
    assert.ok(!stdout.includes(token), "the token appears in no output");
  });
});
