import { strict as assert } from "node:assert";
import { PutParameterCommand, GetParameterCommand } from "@aws-sdk/client-ssm";
import { SendMessageCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { main } from "../../../runtime/cli/main";
import { runDlq } from "../../../runtime/cli/commands/dlq";
import { runGet } from "../../../runtime/cli/commands/get";
import { runSet } from "../../../runtime/cli/commands/set";
import { runStatus } from "../../../runtime/cli/commands/status";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { captureOutput } from "./captureOutput";
import { deadEndpoint, EMPTY_ENV, pipelineFlags } from "./support/pipelineEnvironment";

describe("the config-refresh commands against a local pipeline", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;
  let flags: string[];

  before(async function () {
    this.timeout(90_000);
    pipeline = await startLocalPipeline({
      instances: 2,
      invoker: { maxAttempts: 2, retryDelayMs: 50, waitTimeSeconds: 1 },
    });
    flags = pipelineFlags(pipeline);
  });
  after(() => pipeline?.stop());

  describe("config-refresh get", () => {
    it("prints a parameter's value, type and version, by relative or full name", async () => {
      const out = captureOutput();
      assert.equal(await runGet(["http/retries", ...flags], out, EMPTY_ENV), 0, out.text());
      assert.match(out.text(), /^\/shop\/beta\/http\/retries = 3\n {2}String, version \d+, last modified \d{4}-/);
      const json = captureOutput();
      assert.equal(await runGet(["/shop/beta/cors/allowed_origins", "--json", ...flags], json, EMPTY_ENV), 0);
      assert.deepEqual(
        { ...JSON.parse(json.stdout[0]!), lastModified: undefined, version: undefined },
        {
          name: "/shop/beta/cors/allowed_origins",
          value: "https://beta.shop.example,https://admin.beta.shop.example,http://localhost:3000",
          type: "StringList",
          lastModified: undefined,
          version: undefined,
        },
      );
    });

    it("hides a SecureString unless --decrypt is given", async () => {
      const hidden = captureOutput();
      assert.equal(await runGet(["database/password", ...flags], hidden, EMPTY_ENV), 0);
      assert.match(hidden.text(), /= \(SecureString: hidden, --decrypt shows it\)/);
      const shown = captureOutput();
      assert.equal(await runGet(["database/password", "--decrypt", ...flags], shown, EMPTY_ENV), 0);
      assert.match(shown.text(), /= local-\S{8,}/);
    });

    it("answers an unknown parameter with exit 1 and a sentence naming it", async () => {
      const out = captureOutput();
      assert.equal(await runGet(["no/such/key", ...flags], out, EMPTY_ENV), 1);
      assert.equal(
        out.stderr.join("\n"),
        "config-refresh get: unknown parameter /shop/beta/no/such/key: it does not exist in Parameter Store",
      );
    });

    it("answers an endpoint nobody listens on with exit 3 and a sentence naming it", async () => {
      const endpoint = await deadEndpoint();
      const out = captureOutput();
      assert.equal(
        await runGet(["log_level", "--aws-endpoint", endpoint, "--prefix", pipeline.prefix], out, EMPTY_ENV),
        3,
      );
      assert.equal(
        out.stderr.join("\n"),
        `config-refresh get: cannot reach SSM at ${endpoint} (ECONNREFUSED): is it running, and is the address right?`,
      );
    });

    it("answers missing credentials with exit 3 and says how to provide them", async () => {
      // No instance metadata lookup (network beyond 127.0.0.1) and no credential files: the chain has nothing.
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      });
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
        delete process.env[name];
      try {
        const out = captureOutput();
        assert.equal(await runGet(["log_level", "--profile", "ghost", ...flags], out, EMPTY_ENV), 3);
        assert.match(
          out.text(),
          /^config-refresh get: no AWS credentials for profile "ghost": set AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, run `aws sso login`, or pass --profile/,
        );
      } finally {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
      }
    });

    it("answers usage errors with exit 2: no name, a relative name without a prefix, an unknown flag", async () => {
      assert.equal(await runGet([], captureOutput(), EMPTY_ENV), 2);
      const relative = captureOutput();
      assert.equal(
        await runGet(["log_level", "--aws-endpoint", pipeline.connection.endpoint!], relative, EMPTY_ENV),
        2,
      );
      assert.match(relative.text(), /"log_level" is relative: give the prefix/);
      assert.equal(await main(["get", "log_level", "--bogus"], captureOutput()), 2);
      const help = captureOutput();
      assert.equal(await main(["get", "--help"], help), 0);
      assert.match(help.text(), /Usage: config-refresh get NAME[\s\S]*Exit codes: 0 ok, 1 .*, 2 usage.*\n3 AWS/);
    });
  });

  describe("config-refresh set", () => {
    it("asks every instance first (each would accept), writes a new version, relays its change event, and --wait sees every instance hold it", async () => {
      const out = captureOutput();
      assert.equal(
        await runSet(["checkout/max_items", "60", "--wait", "--timeout", "20", ...flags], out, EMPTY_ENV),
        0,
        out.text(),
      );
      assert.match(
        out.text(),
        /\n {5}shop-2 +127\.0\.0\.1:\d+ +would accept\n\/shop\/beta\/checkout\/max_items = 60: version (\d+) \(updated\)\n {2}change event relayed to EventBridge \(event [0-9a-f-]+\)\n {2}every instance holds version \d+ \(2 instances\)$/,
      );
      const state = await pipeline.fleetState();
      const version = state.current.get("/shop/beta/checkout/max_items");
      for (const instance of state.instances)
        assert.equal(instance.held?.get("/shop/beta/checkout/max_items"), version);
    });

    it("refuses to create an unknown parameter without --type (exit 1), and creates it with --type", async () => {
      const unknown = captureOutput();
      assert.equal(await runSet(["features/brand_new", "on", ...flags], unknown, EMPTY_ENV), 1);
      assert.match(
        unknown.text(),
        /unknown parameter \/shop\/beta\/features\/brand_new: it does not exist in Parameter Store \(pass a type to create it\)/,
      );
      const created = captureOutput();
      assert.equal(
        await runSet(["features/brand_new", "on", "--type", "String", ...flags], created, EMPTY_ENV),
        0,
        created.text(),
      );
      assert.match(created.text(), /= on: version 1 \(created\)/);
      assert.equal(await runSet(["log_level", "warn", "--type", "Number", ...flags], captureOutput(), EMPTY_ENV), 2);
    });

    it("answers an endpoint nobody listens on with exit 3", async () => {
      const out = captureOutput();
      assert.equal(
        await runSet(
          ["log_level", "warn", "--aws-endpoint", await deadEndpoint(), "--prefix", pipeline.prefix],
          out,
          EMPTY_ENV,
        ),
        3,
      );
      assert.match(out.text(), /config-refresh set: cannot reach SSM at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    });
  });

  describe("config-refresh status", () => {
    it("reports every instance converged with exit 0", async () => {
      const out = captureOutput();
      assert.equal(await runStatus(flags, out, EMPTY_ENV), 0, out.text());
      assert.match(
        out.text(),
        /config-refresh-shop-beta\/shop at http:\/\/127\.0\.0\.1:\d+: 2 instances registered, \d+ parameters under \/shop\/beta\//,
      );
      assert.match(out.text(), /CONVERGED: 2\/2 instances hold SSM's current version of all \d+ parameters/);
    });

    it("detects an instance that missed a change, names the parameter and exits 1, then 0 once the change is delivered", async () => {
      // A write whose change event never comes (as if EventBridge had lost it): every instance keeps the old version.
      await pipeline.clients.ssm.send(
        new PutParameterCommand({
          Name: "/shop/beta/features/recommendations",
          Value: "true",
          Type: "String",
          Overwrite: true,
        }),
      );
      const diverged = captureOutput();
      assert.equal(await runStatus(flags, diverged, EMPTY_ENV), 1, diverged.text());
      assert.match(diverged.text(), /! {2}shop-1 .* DIVERGED: \/shop\/beta\/features\/recommendations v1 \(SSM v2\)/);
      assert.match(diverged.text(), /DIVERGED: 2 of 2 instances do not hold SSM's current versions \(shop-1, shop-2\)/);

      const fixed = captureOutput();
      assert.equal(
        await runSet(["features/recommendations", "true", "--wait", "--timeout", "20", ...flags], fixed, EMPTY_ENV),
        0,
        fixed.text(),
      );
      assert.equal(await runStatus(flags, captureOutput(), EMPTY_ENV), 0);
    });

    it("reports an instance that does not answer as UNREACHABLE, with exit 1", async () => {
      const extra = await pipeline.fleet.startInstance("shop-frozen");
      try {
        process.kill(extra.pid, "SIGSTOP");
        const out = captureOutput();
        assert.equal(await runStatus([...flags, "--deadline-ms", "500"], out, EMPTY_ENV), 1, out.text());
        assert.match(out.text(), /! {2}shop-frozen .* UNREACHABLE: State call to 127\.0\.0\.1:\d+ failed/);
      } finally {
        process.kill(extra.pid, "SIGCONT");
        await pipeline.fleet.stopInstance("shop-frozen");
      }
    });

    it("exits 3 when AWS cannot be reached, and 1 when no pipeline runs under the prefix", async () => {
      const unreachable = captureOutput();
      assert.equal(
        await runStatus(["--aws-endpoint", await deadEndpoint(), "--prefix", pipeline.prefix], unreachable, EMPTY_ENV),
        3,
      );
      assert.match(
        unreachable.text(),
        /config-refresh status: cannot reach SSM\/Cloud Map at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
      const elsewhere = captureOutput();
      assert.equal(
        await runStatus(
          ["--aws-endpoint", pipeline.connection.endpoint!, "--prefix", "/shop/prod/"],
          elsewhere,
          EMPTY_ENV,
        ),
        1,
      );
      assert.match(
        elsewhere.text(),
        /the refresh token \/config-refresh\/shop\/prod\/refresh-token does not exist at http:\/\/127\.0\.0\.1:\d+: no pipeline for \/shop\/prod\/ runs there/,
      );
    });
  });

  describe("config-refresh dlq replay", () => {
    it("keeps a message whose replay failed (exit 3) or that holds no change (exit 1), and deletes a change once its replay succeeded", async () => {
      const dlq = pipeline.rule.deadLetterQueueUrl;
      const replayFlags = [...flags, "--redis-url", pipeline.redisUrl, "replay"];
      await pipeline.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify({ hello: "not an event" }) }),
      );

      // The handler fails while Redis is down: the invoker retries, then dead-letters the change.
      const redis = pipeline.servers.redis!;
      await redis.stop();
      const written = await pipeline.writeParameter("checkout/currency", "USD");
      const deadLettered = await pipeline.invoker.waitFor((record) => record.outcome === "dead-lettered", 30_000);
      assert.ok(deadLettered, "the change was dead-lettered after the invoker's attempts");
      assert.equal(deadLettered.attempts, 2);
      assert.match(deadLettered.error ?? "", /StreamPublishError/);

      // Replayed while Redis is still down: it fails and stays.
      const failing = captureOutput();
      assert.equal(await runDlq(replayFlags, failing, EMPTY_ENV), 3, failing.text());
      assert.match(failing.text(), /FAILED {8}[0-9a-f]{8} {2}StreamPublishError: .*\(left in the queue\)/);
      assert.match(failing.text(), /NOT A CHANGE {2}[0-9a-f]{8} {2}.*\(left in the queue\)/);
      assert.equal(await visibleMessages(pipeline), 2);

      await redis.launch();
      const replay = captureOutput();
      assert.equal(await runDlq(replayFlags, replay, EMPTY_ENV), 1, replay.text());
      assert.match(
        replay.text(),
        new RegExp(
          `replayed {6}[0-9a-f]{8} {2}published /shop/beta/checkout/currency v${written.version}; instances: 2 ACK, 0 NACK, 0 unreachable`,
        ),
      );
      assert.match(
        replay.text(),
        /NOT A CHANGE {2}[0-9a-f]{8} {2}is neither a Parameter Store Change event.*\(left in the queue\)/,
      );
      assert.match(replay.text(), /Replayed 1 of 2 messages; 1 left in the dead-letter queue\./);
      assert.equal(await visibleMessages(pipeline), 1, "only the message that holds no change is left");
      const { Parameter } = await pipeline.clients.ssm.send(new GetParameterCommand({ Name: written.name }));
      assert.equal(Parameter?.Version, written.version);
      assert.equal(await runStatus(flags, captureOutput(), EMPTY_ENV), 0, "the fleet converged");
    });

    it("needs the Redis URL (exit 2) and a known subcommand (exit 2), and exits 3 when SQS cannot be reached", async () => {
      const noRedis = captureOutput();
      assert.equal(await runDlq([...flags, "replay"], noRedis, EMPTY_ENV), 2);
      assert.match(
        noRedis.text(),
        /the handler needs the Redis stream: give --redis-url \(or CONFIG_REFRESH_REDIS_URL\)/,
      );
      assert.equal(await runDlq([...flags, "purge"], captureOutput(), EMPTY_ENV), 2);
      const unreachable = captureOutput();
      assert.equal(
        await runDlq(
          [
            "--aws-endpoint",
            await deadEndpoint(),
            "--prefix",
            pipeline.prefix,
            "--redis-url",
            pipeline.redisUrl,
            "replay",
          ],
          unreachable,
          EMPTY_ENV,
        ),
        3,
      );
      assert.match(unreachable.text(), /cannot reach SQS at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    });
  });
});

/** Messages visible in the pipeline's DLQ. */
async function visibleMessages(pipeline: LocalPipeline): Promise<number> {
  const { Attributes } = await pipeline.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: pipeline.rule.deadLetterQueueUrl,
      AttributeNames: ["ApproximateNumberOfMessages"],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? -1);
}
