import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { RegisterInstanceCommand } from "@aws-sdk/client-servicediscovery";
import { GetQueueAttributesCommand, PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import Redis from "ioredis";
import { runDlq } from "../../../runtime/cli/commands/dlq";
import { functionAccessString, REDIS_USER_NAMES } from "../../../runtime/protocol";
import { runStatus } from "../../../runtime/cli/commands/status";
import { ensureServiceRegistry, startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { freePort, LocalRedisServer } from "../../../runtime/local/servers";
import { SilentServer } from "../operator/support/silentServer";
import { captureOutput } from "./captureOutput";
import { EMPTY_ENV, pipelineFlags } from "./support/pipelineEnvironment";

/** An AUTH token as ElastiCache may generate one: a "#" in it ends a URL's address. */
const PASSWORD = "Zq#7-s3cret/x";
const TOKEN_PARAMETER = "/config-refresh/shop/beta/redis-auth-token";
/** The function user's password, as the component keeps it (its redisAuthTokenParameterName output). */
const FUNCTION_TOKEN_PARAMETER = "/config-refresh/shop/beta/redis-function-password";
const FUNCTION_PASSWORD = "function-password-0123456789";
/** The sentence's second half: where to run the command instead. */
const INSIDE_THE_VPC =
  "the pipeline's Redis and the instances answer only inside its VPC. Run `config-refresh %s` inside the VPC " +
  "instead: a one-off ECS task in the services' subnets with their security group (the stack's serviceSecurityGroupId " +
  "output), or AWS CloudShell in that VPC";

describe("the config-refresh commands against a Redis with an AUTH token, and from outside the VPC", function () {
  this.timeout(60_000);
  let redis: LocalRedisServer;
  let pipeline: LocalPipeline;
  let flags: string[];

  before(async function () {
    this.timeout(90_000);
    redis = await LocalRedisServer.start(undefined, { password: PASSWORD });
    pipeline = await startLocalPipeline({
      redisUrl: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}`,
      instances: 1,
      invoker: { waitTimeSeconds: 1 },
    });
    // What the component creates in AWS: the AUTH token as a SecureString, outside the prefix.
    await pipeline.clients.ssm.send(
      new PutParameterCommand({ Name: TOKEN_PARAMETER, Value: PASSWORD, Type: "SecureString", Overwrite: true }),
    );
    flags = pipelineFlags(pipeline);
  });
  after(async () => {
    await pipeline?.stop();
    await redis?.dispose();
  });
  beforeEach(() => pipeline.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: pipeline.rule.deadLetterQueueUrl })));

  /** A change whose event only reached the dead-letter queue: written without its event, then dead-lettered. */
  async function deadLetter(relative: string, value: string): Promise<{ name: string; version: number }> {
    const name = `${pipeline.prefix}${relative}`;
    const { Version } = await pipeline.clients.ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true }),
    );
    const { Parameter } = await pipeline.clients.ssm.send(new GetParameterCommand({ Name: name }));
    const event = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Parameter Store Change",
      source: "aws.ssm",
      account: "123456789012",
      time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      region: "us-east-1",
      resources: [Parameter?.ARN ?? ""],
      detail: { operation: "Update", name, type: "String", description: "" },
    };
    await pipeline.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: pipeline.rule.deadLetterQueueUrl, MessageBody: JSON.stringify(event) }),
    );
    return { name, version: Version ?? 0 };
  }

  async function visibleDeadLetters(): Promise<number> {
    const { Attributes } = await pipeline.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: pipeline.rule.deadLetterQueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? -1);
  }

  describe("a Redis that wants a password holding a #", () => {
    it("status reads the fleet, whose instances hold the token (exit 0)", async () => {
      const out = captureOutput();
      assert.equal(await runStatus(flags, out, EMPTY_ENV), 0, out.text());
      assert.match(out.text(), /CONVERGED: 1\/1 instances hold SSM's current version/);
    });

    it("dlq replay publishes with the token read from its SSM parameter, as the deployed function reads it (exit 0)", async () => {
      const change = await deadLetter("checkout/currency", "CHF");
      const out = captureOutput();
      const args = [...flags, "--redis-url", redis.url, "--redis-auth-token-parameter", TOKEN_PARAMETER, "replay"];
      assert.equal(await runDlq(args, out, EMPTY_ENV), 0, out.text());
      assert.match(
        out.text(),
        new RegExp(`replayed {6}[0-9a-f]{8} {2}published ${change.name} v${change.version}; instances: 1 ACK`),
      );
      assert.equal(await visibleDeadLetters(), 0);
    });

    it("dlq replay takes the token from the variable too, or percent-encoded in the URL (exit 0)", async () => {
      await deadLetter("checkout/currency", "EUR");
      const fromVariable = captureOutput();
      const variableEnv = { ...EMPTY_ENV, CONFIG_REFRESH_REDIS_PASSWORD: PASSWORD };
      assert.equal(
        await runDlq([...flags, "--redis-url", redis.url, "replay"], fromVariable, variableEnv),
        0,
        fromVariable.text(),
      );
      assert.match(fromVariable.text(), /Replayed 1 of 1 message; the dead-letter queue holds none of them any more\./);

      await deadLetter("checkout/currency", "USD");
      const encoded = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}`;
      const fromUrl = captureOutput();
      assert.equal(await runDlq([...flags, "--redis-url", encoded, "replay"], fromUrl, EMPTY_ENV), 0, fromUrl.text());
      assert.match(fromUrl.text(), /Replayed 1 of 1 message/);
    });

    it("dlq replay refuses the token raw in the URL (exit 2) and says Redis wants one when none is given (exit 3), replaying nothing", async () => {
      await deadLetter("checkout/currency", "GBP");
      const raw = captureOutput();
      assert.equal(
        await runDlq(
          [...flags, "--redis-url", `redis://:${PASSWORD}@127.0.0.1:${redis.port}`, "replay"],
          raw,
          EMPTY_ENV,
        ),
        2,
      );
      assert.match(
        raw.stderr.join("\n"),
        /^config-refresh dlq replay: the Redis URL redis:\/\/\*\*\*@127\.0\.0\.1:\d+ holds a "#"/,
      );
      assert.ok(!raw.text().includes("s3cret"), "the password is never printed");

      const none = captureOutput();
      assert.equal(await runDlq([...flags, "--redis-url", redis.url, "replay"], none, EMPTY_ENV), 3);
      assert.equal(
        none.stderr.join("\n"),
        `config-refresh dlq replay: Redis at ${redis.url} wants a password (NOAUTH): give the AUTH token ` +
          "with --redis-auth-token-parameter NAME (the stack's redisAuthTokenParameterName output), or in CONFIG_REFRESH_REDIS_PASSWORD",
      );
      assert.equal(await visibleDeadLetters(), 1, "the dead letter is still in the queue");
    });

    it("dlq replay authenticates as the function's Redis user, as the component's Redis wants, and hints at it when the user is missing", async () => {
      // What the component deploys besides the token: the function's own user, with its rules and password.
      await pipeline.clients.ssm.send(
        new PutParameterCommand({
          Name: FUNCTION_TOKEN_PARAMETER,
          Value: FUNCTION_PASSWORD,
          Type: "SecureString",
          Overwrite: true,
        }),
      );
      const admin = new Redis(redis.port, "127.0.0.1", { password: PASSWORD });
      await admin.acl(
        "SETUSER",
        REDIS_USER_NAMES.function,
        "reset",
        `>${FUNCTION_PASSWORD}`,
        ...functionAccessString(pipeline.names.streamKey).split(" "),
      );
      admin.disconnect();
      const change = await deadLetter("checkout/currency", "JPY");
      const tokenFlags = [...flags, "--redis-url", redis.url, "--redis-auth-token-parameter", FUNCTION_TOKEN_PARAMETER];

      const withoutUser = captureOutput();
      assert.equal(await runDlq([...tokenFlags, "replay"], withoutUser, EMPTY_ENV), 3);
      assert.match(withoutUser.stderr.join("\n"), /add --redis-user config-refresh-function/);
      assert.equal(await visibleDeadLetters(), 1, "nothing was replayed");

      const asFunction = captureOutput();
      const args = [...tokenFlags, "--redis-user", REDIS_USER_NAMES.function, "replay"];
      assert.equal(await runDlq(args, asFunction, EMPTY_ENV), 0, asFunction.text());
      assert.match(asFunction.text(), new RegExp(`published ${change.name} v${change.version}; instances: 1 ACK`));
      assert.equal(await visibleDeadLetters(), 0);
    });
  });

  describe("from a machine outside the VPC", () => {
    let silent: SilentServer;
    before(async () => {
      silent = await SilentServer.start();
    });
    after(() => silent?.stop());

    it("dlq replay says at once that Redis does not answer from here and where to run it, replaying nothing (exit 3)", async () => {
      await deadLetter("checkout/currency", "JPY");
      const out = captureOutput();
      assert.equal(await runDlq([...flags, "--redis-url", `redis://${silent.address}`, "replay"], out, EMPTY_ENV), 3);
      assert.equal(
        out.stderr.join("\n"),
        `config-refresh dlq replay: cannot reach Redis at redis://${silent.address} from this machine ` +
          `(no answer within 3.0 s): ${INSIDE_THE_VPC.replace("%s", "dlq replay")}`,
      );
      assert.equal(await visibleDeadLetters(), 1, "the dead letter is still in the queue");
    });

    it("status says so when no registered instance answers, naming their addresses and where to run it (exit 3)", async () => {
      const { serviceId } = await ensureServiceRegistry(pipeline.clients.serviceDiscovery, {
        namespaceName: pipeline.names.namespaceName,
        serviceName: "shop-in-a-vpc",
      });
      const other = await SilentServer.start();
      try {
        for (const [id, server] of [
          ["vpc-1", silent],
          ["vpc-2", other],
        ] as const) {
          await pipeline.clients.serviceDiscovery.send(
            new RegisterInstanceCommand({
              ServiceId: serviceId,
              InstanceId: id,
              Attributes: { AWS_INSTANCE_IPV4: "127.0.0.1", AWS_INSTANCE_PORT: String(server.port) },
            }),
          );
        }
        const out = captureOutput();
        assert.equal(
          await runStatus([...flags, "--service", "shop-in-a-vpc", "--deadline-ms", "1000"], out, EMPTY_ENV),
          3,
          out.text(),
        );
        assert.match(
          out.stdout.join("\n"),
          /config-refresh-shop-beta\/shop-in-a-vpc at http:\/\/127\.0\.0\.1:\d+: 2 instances registered/,
        );
        assert.equal(
          out.stderr.join("\n"),
          `config-refresh status: cannot reach any of the 2 registered instances at ${silent.address}, ` +
            `${other.address} from this machine (no State answer within 1000 ms): ${INSIDE_THE_VPC.replace("%s", "status")}`,
        );
      } finally {
        await other.stop();
      }
    });

    it("status keeps an instance whose port refuses as UNREACHABLE (exit 1): this machine reaches its host", async () => {
      const { serviceId } = await ensureServiceRegistry(pipeline.clients.serviceDiscovery, {
        namespaceName: pipeline.names.namespaceName,
        serviceName: "shop-stale",
      });
      await pipeline.clients.serviceDiscovery.send(
        new RegisterInstanceCommand({
          ServiceId: serviceId,
          InstanceId: "stale-1",
          Attributes: { AWS_INSTANCE_IPV4: "127.0.0.1", AWS_INSTANCE_PORT: String(await freePort()) },
        }),
      );
      const out = captureOutput();
      assert.equal(await runStatus([...flags, "--service", "shop-stale"], out, EMPTY_ENV), 1, out.text());
      assert.match(out.text(), /! {2}stale-1 .* UNREACHABLE: State call to 127\.0\.0\.1:\d+ failed/);
    });
  });
});
