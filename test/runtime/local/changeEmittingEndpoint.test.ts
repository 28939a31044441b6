import { strict as assert } from "node:assert";
import { SendMessageCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsClientConfig } from "../../../runtime/operator/aws/awsClients";
import { runSet } from "../../../runtime/cli/commands/set";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { captureOutput } from "../cli/captureOutput";
import { EMPTY_ENV, pipelineFlags } from "../cli/support/pipelineEnvironment";
import { runBoto3, type Boto3Result } from "./support/boto3Calls";

interface ChangeEvent {
  id: string;
  source: string;
  "detail-type": string;
  resources: string[];
  detail: { operation: string; name: string; type: string; description: string };
}

describe("the local pipeline's endpoint emits Parameter Store's change events for any client's write", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;
  let env: Record<string, string>;
  let sqs: SQSClient;

  before(async function () {
    this.timeout(90_000);
    pipeline = await startLocalPipeline({ invoker: { waitTimeSeconds: 1 } });
    // Nothing takes the events off the rule's queue but the test.
    await pipeline.invoker.stop();
    env = pipeline.commandEnvironment();
    // The test reads the queue through the endpoint handed out: that SQS passes through it as well.
    sqs = new SQSClient(awsClientConfig(pipeline.connection));
  });
  after(async () => {
    sqs?.destroy();
    await pipeline?.stop();
  });
  beforeEach(() => drain());

  it("hands out its own endpoint, not moto's port", () => {
    assert.equal(env.AWS_ENDPOINT_URL, pipeline.connection.endpoint);
    assert.notEqual(pipeline.connection.endpoint, pipeline.servers.moto?.endpoint);
  });

  it("emits Create for boto3's put of a new name and Update for an overwrite, in the shape SSM emits", async () => {
    const name = `${pipeline.prefix}boto3/created`;
    const answers = await boto3([
      { op: "put_parameter", args: { Name: name, Value: "one", Type: "String", Description: "made by boto3" } },
      { op: "put_parameter", args: { Name: name, Value: "two", Overwrite: true } },
    ]);
    assert.deepEqual(
      answers.map((a) => a.ok && a.response.Version),
      [1, 2],
    );
    const events = await drain();
    assert.deepEqual(
      events.map((e) => e.detail),
      [
        { operation: "Create", name, type: "String", description: "made by boto3" },
        { operation: "Update", name, type: "String", description: "made by boto3" },
      ],
    );
    for (const event of events) {
      assert.equal(event.source, "aws.ssm");
      assert.equal(event["detail-type"], "Parameter Store Change");
      assert.deepEqual(event.resources, [`arn:aws:ssm:us-east-1:123456789012:parameter${name}`]);
    }
  });

  it("emits one Delete for delete_parameter, and one per deleted name for delete_parameters", async () => {
    const [a, b, c] = ["a", "b", "c"].map((key) => `${pipeline.prefix}boto3/delete_${key}`);
    await boto3(
      [a, b, c].map((name) => ({ op: "put_parameter", args: { Name: name, Value: "x", Type: "StringList" } })),
    );
    await drain();
    const answers = await boto3([
      { op: "delete_parameter", args: { Name: a } },
      { op: "delete_parameters", args: { Names: [b, `${pipeline.prefix}boto3/never_existed`, c] } },
    ]);
    assert.deepEqual(
      answers.map((x) => x.ok),
      [true, true],
    );
    const events = await drain();
    assert.deepEqual(events.map((e) => [e.detail.operation, e.detail.name, e.detail.type]).sort(), [
      ["Delete", a, "StringList"],
      ["Delete", b, "StringList"],
      ["Delete", c, "StringList"],
    ]);
  });

  it("emits LabelParameterVersion when a label is attached, nothing when every label is refused", async () => {
    const name = `${pipeline.prefix}log_level`;
    const answers = await boto3([
      { op: "label_parameter_version", args: { Name: name, Labels: ["stable"] } },
      { op: "label_parameter_version", args: { Name: name, Labels: ["1-starts-with-a-digit"] } },
    ]);
    assert.deepEqual(
      answers.map((a) => a.ok && a.response.InvalidLabels),
      [[], ["1-starts-with-a-digit"]],
    );
    assert.deepEqual(
      (await drain()).map((e) => [e.detail.operation, e.detail.name]),
      [["LabelParameterVersion", name]],
    );
  });

  it("emits nothing for a write SSM refuses: a value failing allowedPattern, a put without overwrite, an unknown name", async () => {
    const name = `${pipeline.prefix}boto3/digits`;
    await boto3([{ op: "put_parameter", args: { Name: name, Value: "42", Type: "String", AllowedPattern: "^\\d+$" } }]);
    await drain();
    const answers = await boto3([
      { op: "put_parameter", args: { Name: name, Value: "forty-two", Overwrite: true } },
      {
        op: "put_parameter",
        args: { Name: `${pipeline.prefix}boto3/new`, Value: "abc", Type: "String", AllowedPattern: "^\\d+$" },
      },
      { op: "put_parameter", args: { Name: name, Value: "43", Type: "String" } },
      { op: "delete_parameter", args: { Name: `${pipeline.prefix}boto3/unknown` } },
      { op: "label_parameter_version", args: { Name: name, ParameterVersion: 9, Labels: ["stable"] } },
    ]);
    assert.deepEqual(answers.map(codeOf), [
      "ValidationException",
      "ValidationException",
      "ParameterAlreadyExists",
      "ParameterNotFound",
      "ParameterVersionNotFound",
    ]);
    assert.match(
      (answers[0] as { message: string }).message,
      /^Parameter value, cannot be validated against allowedPattern: \^\\d\+\$$/,
    );
    assert.deepEqual(await drain(), []);
    const [kept] = await boto3([{ op: "get_parameter", args: { Name: name } }]);
    const parameter = kept?.ok ? (kept.response.Parameter as { Value: string; Version: number }) : undefined;
    assert.deepEqual([parameter?.Value, parameter?.Version], ["42", 1]);
  });

  it("makes one event per write, never two: config-refresh set and the pipeline's own writes", async () => {
    const out = captureOutput();
    assert.equal(await runSet(["log_level", "error", ...pipelineFlags(pipeline)], out, EMPTY_ENV), 0, out.text());
    const printed = /\(event ([0-9a-f-]+)\)/.exec(out.text())?.[1];
    const afterSet = await drain();
    assert.deepEqual(
      afterSet.map((e) => [e.id, e.detail.operation]),
      [[printed, "Update"]],
    );

    const quiet = captureOutput();
    assert.equal(
      await runSet(["log_level", "info", "--no-emit-event", ...pipelineFlags(pipeline)], quiet, EMPTY_ENV),
      0,
    );
    assert.equal((await drain()).length, 1, "the endpoint emits whatever the writer asks, as Parameter Store does");

    const written = await pipeline.writeParameter("log_level", "warn");
    const created = await pipeline.writeParameter("boto3/own", "x", { type: "String" });
    const deleted = await pipeline.deleteParameter("boto3/own");
    assert.deepEqual(
      (await drain()).map((e) => [e.id, e.detail.operation]).sort(),
      [
        [written.eventId, "Update"],
        [created.eventId, "Create"],
        [deleted.eventId, "Delete"],
      ].sort(),
    );
  });

  it("passes every other request through untouched: a 200 KB SQS message comes back byte for byte", async () => {
    const body = "é".repeat(100_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.rule.queueUrl, MessageBody: body }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: pipeline.rule.queueUrl, WaitTimeSeconds: 0 }),
    );
    assert.equal(Messages[0]?.Body, body);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: pipeline.rule.queueUrl,
        Entries: [{ Id: "0", ReceiptHandle: Messages[0]!.ReceiptHandle! }],
      }),
    );
  });

  function boto3(calls: Parameters<typeof runBoto3>[1]): Promise<Boto3Result[]> {
    return runBoto3(env, calls);
  }

  /** Receives and deletes everything in the rule's queue (moto delivers synchronously); returns the events. */
  async function drain(): Promise<ChangeEvent[]> {
    const events: ChangeEvent[] = [];
    for (let round = 0; round < 20; round++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.rule.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      events.push(...Messages.map((m) => JSON.parse(m.Body ?? "{}") as ChangeEvent));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: pipeline.rule.queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return events;
  }
});

function codeOf(result: Boto3Result): string {
  return result.ok ? "ok" : result.code;
}
