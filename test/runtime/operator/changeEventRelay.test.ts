import { strict as assert } from "node:assert";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { ChangeEventRelay } from "../../../runtime/operator/relay/changeEventRelay";

describe("the change-event relay, through the component's rule of a local pipeline", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;

  before(async function () {
    this.timeout(90_000);
    pipeline = await startLocalPipeline({ invoker: { waitTimeSeconds: 1 } });
    // Nothing takes the events off the rule's queue but the test.
    await pipeline.invoker.stop();
  });
  after(() => pipeline?.stop());

  it("sends the Parameter Store Change event shape, which the component's rule routes into the queue", async () => {
    await drain(pipeline);
    const written = await pipeline.writeParameter("log_level", "warn");
    const [body] = await drain(pipeline);
    const event = JSON.parse(body ?? "{}") as Record<string, unknown>;
    assert.equal(event.source, "aws.ssm");
    assert.equal(event["detail-type"], "Parameter Store Change");
    assert.deepEqual(event.detail, {
      operation: "Update",
      name: "/shop/beta/log_level",
      type: "String",
      description: "",
    });
    assert.deepEqual(event.resources, ["arn:aws:ssm:us-east-1:123456789012:parameter/shop/beta/log_level"]);
    assert.equal(event.id, written.eventId);
    assert.equal(event.account, "123456789012");
    assert.match(String(event.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("leaves events of other prefixes out: the rule only matches names under /shop/beta/", async () => {
    await drain(pipeline);
    const relay = new ChangeEventRelay(pipeline.clients.eventBridge);
    await relay.emit([
      {
        operation: "Update",
        name: "/shop/betamax/log_level",
        type: "String",
        arn: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/betamax/log_level",
      },
      {
        operation: "Update",
        name: "/shop/prod/log_level",
        type: "String",
        arn: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/prod/log_level",
      },
      {
        operation: "Delete",
        name: "/shop/beta/gone",
        type: "String",
        arn: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/beta/gone",
      },
    ]);
    const bodies = await drain(pipeline);
    assert.deepEqual(
      bodies.map((body) => (JSON.parse(body) as { detail: { name: string } }).detail.name),
      ["/shop/beta/gone"],
    );
  });
});

/** Receives and deletes everything in the rule's queue; returns the bodies (moto delivers synchronously). */
async function drain(pipeline: LocalPipeline): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 10; round++) {
    const { Messages = [] } = await pipeline.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: pipeline.rule.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    bodies.push(...Messages.map((m) => m.Body ?? ""));
    await pipeline.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: pipeline.rule.queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return bodies;
}
