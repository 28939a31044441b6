import { strict as assert } from "node:assert";
import { z } from "zod";
import { ssmInteger } from "../../../runtime/client";
import {
  defaultStreamKey,
  parseAckEntry,
  parseRefusalEntry,
  streamKeys,
  toWireChange,
  type RefusalMessage,
} from "../../../runtime/protocol";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { publish, putParameter, putParameters } from "./support/parameters";
import { RefreshCaller } from "./support/refreshCalls";
import { waitFor } from "./support/waitFor";

const TOKEN = "refusal-test-token-0123456789abcdef";
const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
};

describe("an instance records on the acks stream each version its schema refuses", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  it("writes one refusal per refused version, with the schema's reason and never the value; a refusal is never read as an ack", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, { log_level: "info", "http/timeout_ms": "5000", extra: "x" });
    const streamKey = defaultStreamKey(path);
    const acks = streamKeys(streamKey).acks;
    const client = await clients.start({
      parameterPath: path,
      ssm: env.ssm,
      redis: env.redis.url,
      schema,
      strict: true,
      instanceId: "refusing-1",
      refreshServer: { tokens: [TOKEN], host: "127.0.0.1" },
    });
    const caller = new RefreshCaller(client.refreshPort as number);
    try {
      await waitFor("the boot acks", async () => (await env.admin.xlen(acks)) === 2);
      const bad = await putParameter(env.ssm, `${path}http/timeout_ms`, "5");
      const unknown = await putParameter(env.ssm, `${path}extra`, "y");
      // The same refused version by the RPC, then by the stream: one refusal. An unknown name: one more.
      const answer = await caller.refresh([toWireChange(bad), toWireChange(unknown)], TOKEN);
      assert.deepEqual(
        answer.results.map((r) => r.reason),
        ["VALIDATION_FAILED", "UNKNOWN_NAME"],
      );
      await publish(env.admin, streamKey, [bad]);
      const fixed = await putParameter(env.ssm, `${path}http/timeout_ms`, "7000");
      await publish(env.admin, streamKey, [fixed]);
      await waitFor("the valid version", () => client.get("http/timeout_ms") === 7000);
      await waitFor("its acknowledgement", async () => (await env.admin.xlen(acks)) === 5);

      const entries = await env.admin.xrange(acks, "-", "+");
      const refusals: RefusalMessage[] = entries.flatMap(([id, fields]) => {
        const parsed = parseRefusalEntry(id, fields);
        return parsed.ok ? [parsed.refusal] : [];
      });
      assert.deepEqual(
        refusals.map((r) => [r.name, r.version, r.reason, r.via, r.modifiedAt, r.instanceId]),
        [
          [bad.name, bad.version, "VALIDATION_FAILED", "rpc", bad.modifiedAt, "refusing-1"],
          [unknown.name, unknown.version, "UNKNOWN_NAME", "rpc", unknown.modifiedAt, "refusing-1"],
        ],
      );
      assert.match(refusals[0]!.detail, /^http\/timeout_ms: /);
      assert.ok(entries.every(([, fields]) => !fields.includes("5") || fields[fields.indexOf("5") - 1] !== "value"));
      const asAcks = entries.map(([id, fields]) => parseAckEntry(id, fields));
      assert.deepEqual(
        asAcks.filter((a) => !a.ok).map((a) => !a.ok && [a.rejection, a.detail]),
        [
          ["unsupported-format", "a refusal, not an acknowledgement"],
          ["unsupported-format", "a refusal, not an acknowledgement"],
        ],
      );
      assert.equal(client.metrics().refusalsWritten, 2);
    } finally {
      caller.close();
    }
  });
});
