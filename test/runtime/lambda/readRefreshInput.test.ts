import { strict as assert } from "node:assert";
import { readRefreshInput } from "../../../runtime/lambda";
import { changeEvent, destinationRecord, sqsEvent } from "./support/events";

describe("refresh Lambda input: every shape an event arrives in", () => {
  const event = changeEvent("/shop/beta/log_level", "Update", { time: new Date("2026-11-25T12:00:00Z"), id: "e-1" });

  it("reads one EventBridge event: name, operation, type, event id and time", () => {
    const { changes, rejected } = readRefreshInput(event);
    assert.deepEqual(rejected, []);
    assert.deepEqual(changes, [
      {
        eventId: "e-1",
        name: "/shop/beta/log_level",
        operation: "Update",
        type: "String",
        time: Date.parse("2026-11-25T12:00:00Z"),
        source: "event",
      },
    ]);
  });

  it("reads an array of events, each with its position", () => {
    const { changes } = readRefreshInput([event, changeEvent("/shop/beta/b", "Delete")]);
    assert.deepEqual(
      changes.map((c) => [c.source, c.operation]),
      [
        ["event[0]", "Update"],
        ["event[1]", "Delete"],
      ],
    );
  });

  it("reads an SQS event from the rule's DLQ, whose bodies are the events themselves", () => {
    const { changes } = readRefreshInput(sqsEvent([JSON.stringify(event), JSON.stringify(event)]));
    assert.deepEqual(
      changes.map((c) => c.source),
      ["record[0] (SQS message m-0)", "record[1] (SQS message m-1)"],
    );
  });

  it("reads Lambda on-failure destination records, in an SQS body or given directly", () => {
    assert.equal(readRefreshInput(sqsEvent([JSON.stringify(destinationRecord(event))])).changes[0]?.eventId, "e-1");
    assert.equal(readRefreshInput(destinationRecord([event])).changes[0]?.source, "event.requestPayload[0]");
  });

  it("accepts an event of any source (the current state is read from SSM anyway) and without a type", () => {
    const detail = { operation: "Delete", name: "/shop/beta/x" };
    const { changes } = readRefreshInput({ ...event, source: "local.pipeline", detail });
    assert.deepEqual([changes[0]?.operation, changes[0]?.type], ["Delete", undefined]);
  });

  const rejectedInputs: [string, unknown, RegExp][] = [
    ["null", null, /null/],
    ["a string", "hello", /string/],
    ["an object of no known shape", { hello: "world" }, /neither/],
    ["another detail-type", { ...event, "detail-type": "Parameter Store Policy Action" }, /detail-type/],
    ["an unknown operation", { ...event, detail: { name: "/shop/beta/x", operation: "Rename" } }, /detail\.operation/],
    [
      "an unknown type",
      { ...event, detail: { name: "/shop/beta/x", operation: "Update", type: "Json" } },
      /detail\.type/,
    ],
    ["a time that is not a time", { ...event, time: "yesterday" }, /time/],
    ["no event id", { ...event, id: undefined }, /id/],
    ["no name", { ...event, detail: { operation: "Update" } }, /detail\.name/],
  ];
  for (const [what, input, reason] of rejectedInputs) {
    it(`rejects ${what} with a reason, without throwing`, () => {
      const { changes, rejected } = readRefreshInput(input);
      assert.deepEqual(changes, []);
      assert.equal(rejected.length, 1);
      assert.match(rejected[0]!.reason, reason);
    });
  }

  it("rejects SQS records without a body or with a body that is not JSON, and keeps the others", () => {
    const input = sqsEvent([JSON.stringify(event), "{", ""]);
    (input.Records as Record<string, unknown>[])[2]!.body = undefined;
    const { changes, rejected } = readRefreshInput(input);
    assert.equal(changes.length, 1);
    assert.deepEqual(
      rejected.map((r) => r.source),
      ["record[1] (SQS message m-1)", "record[2] (SQS message m-2)"],
    );
  });

  it("stops at envelopes nested too deep", () => {
    const { changes, rejected } = readRefreshInput([[[[[[event]]]]]]);
    assert.deepEqual(changes, []);
    assert.match(rejected[0]!.reason, /too deep/);
  });
});
