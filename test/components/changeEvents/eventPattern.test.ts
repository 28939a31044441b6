import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { parameterChangeEventPattern } from "../../../components/changeEvents/eventPattern";
import { emulatorClientConfig, LocalMotoServer } from "../../../runtime/local/servers";

const PREFIX = "/shop/beta/";
const REGION = "us-east-1";
const ACCOUNT = "123456789012";

type Operation = "Create" | "Update" | "Delete" | "LabelParameterVersion";

/** A "Parameter Store Change" event as SSM emits it (source, detail-type, resources, detail). */
function parameterStoreChange(
  name: string,
  operation: Operation,
  overrides: Partial<PutEventsRequestEntry> = {},
): PutEventsRequestEntry {
  return {
    Source: "aws.ssm",
    DetailType: "Parameter Store Change",
    Time: new Date("2026-11-25T12:00:00Z"),
    Resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`],
    Detail: JSON.stringify({ operation, name, type: "String", description: "" }),
    ...overrides,
  };
}

/** What one delivered message says. */
interface Delivered {
  source: string;
  "detail-type": string;
  detail: { operation: string; name: string };
}

describe("parameterChangeEventPattern", () => {
  describe("its shape", () => {
    it("matches source aws.ssm, detail-type Parameter Store Change and names under the prefix with its trailing slash", () => {
      assert.deepEqual(parameterChangeEventPattern(PREFIX), {
        source: ["aws.ssm"],
        "detail-type": ["Parameter Store Change"],
        detail: { name: [{ prefix: "/shop/beta/" }] },
      });
    });

    it("refuses a prefix without its trailing slash, which would also match /shop/betamax/", () => {
      assert.throws(() => parameterChangeEventPattern("/shop/beta"), /must look like "\/<app>\/<env>\/"/);
    });

    it("refuses a prefix with characters SSM does not allow in a name", () => {
      assert.throws(() => parameterChangeEventPattern("/shop/be ta/"), /characters SSM refuses/);
    });
  });

  describe("routing real Parameter Store Change events through moto's EventBridge", function () {
    this.timeout(60_000);
    let moto: LocalMotoServer;
    let events: EventBridgeClient;
    let sqs: SQSClient;
    let queueUrl: string;

    before(async () => {
      moto = await LocalMotoServer.start();
      events = new EventBridgeClient(emulatorClientConfig(moto.endpoint));
      sqs = new SQSClient(emulatorClientConfig(moto.endpoint));
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "refresh-target" }))).QueueUrl!;
      const queueArn = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
      ).Attributes!.QueueArn!;
      await events.send(
        new PutRuleCommand({
          Name: "shop-beta-parameter-change",
          EventPattern: JSON.stringify(parameterChangeEventPattern(PREFIX)),
        }),
      );
      await events.send(
        new PutTargetsCommand({ Rule: "shop-beta-parameter-change", Targets: [{ Id: "refresh", Arn: queueArn }] }),
      );
    });

    after(async () => {
      events?.destroy();
      sqs?.destroy();
      await moto?.stop();
    });

    /** Sends the events (moto delivers synchronously), then drains the queue. */
    async function route(entries: PutEventsRequestEntry[]): Promise<Delivered[]> {
      const put = await events.send(new PutEventsCommand({ Entries: entries }));
      assert.equal(put.FailedEntryCount ?? 0, 0, `PutEvents refused entries: ${JSON.stringify(put.Entries)}`);
      const delivered: Delivered[] = [];
      for (let round = 0; round < 20; round++) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) break;
        delivered.push(...Messages.map((m) => JSON.parse(m.Body!) as Delivered));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m) => ({ Id: randomUUID(), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
      return delivered;
    }

    const summary = (delivered: Delivered[]): string[] =>
      delivered.map((d) => `${d.detail.operation} ${d.detail.name}`).sort();

    it("delivers a Create, an Update, a Delete and a LabelParameterVersion of a parameter under the prefix", async () => {
      const delivered = await route([
        parameterStoreChange("/shop/beta/log_level", "Create"),
        parameterStoreChange("/shop/beta/log_level", "Update"),
        parameterStoreChange("/shop/beta/http/timeout_ms", "Delete"),
        parameterStoreChange("/shop/beta/features/new_checkout", "LabelParameterVersion"),
      ]);
      assert.deepEqual(summary(delivered), [
        "Create /shop/beta/log_level",
        "Delete /shop/beta/http/timeout_ms",
        "LabelParameterVersion /shop/beta/features/new_checkout",
        "Update /shop/beta/log_level",
      ]);
      for (const event of delivered) {
        assert.equal(event.source, "aws.ssm");
        assert.equal(event["detail-type"], "Parameter Store Change");
      }
    });

    it("delivers a change at any depth below the prefix", async () => {
      const delivered = await route([parameterStoreChange("/shop/beta/tenants/acme/limits/max_items", "Update")]);
      assert.deepEqual(summary(delivered), ["Update /shop/beta/tenants/acme/limits/max_items"]);
    });

    it("does not deliver changes outside the prefix, nor one whose name merely starts with the prefix's letters", async () => {
      const delivered = await route([
        parameterStoreChange("/shop/betamax/x", "Update"),
        parameterStoreChange("/shop/production/log_level", "Update"),
        parameterStoreChange("/shopping/beta/log_level", "Update"),
        parameterStoreChange("/config-refresh/shop/beta/refresh-token", "Update"),
        parameterStoreChange("/shop/beta", "Update"),
        // The one that belongs in the same batch, so an empty queue cannot pass for filtering.
        parameterStoreChange("/shop/beta/log_level", "Update"),
      ]);
      assert.deepEqual(summary(delivered), ["Update /shop/beta/log_level"]);
    });

    it("does not deliver other SSM events or other sources that carry a name under the prefix", async () => {
      const delivered = await route([
        parameterStoreChange("/shop/beta/log_level", "Update", { DetailType: "Parameter Store Policy Action" }),
        parameterStoreChange("/shop/beta/log_level", "Update", { Source: "shop.deployer" }),
        parameterStoreChange("/shop/beta/cache/ttl_seconds", "Update"),
      ]);
      assert.deepEqual(summary(delivered), ["Update /shop/beta/cache/ttl_seconds"]);
    });
  });
});
