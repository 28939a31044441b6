import { strict as assert } from "node:assert";
import { GetParameterCommand, GetParameterHistoryCommand } from "@aws-sdk/client-ssm";
import { runStatus } from "../../../runtime/cli/commands/status";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import type { FleetState } from "../../../runtime/operator/fleet/fleetState";
import type { WrittenParameter } from "../../../runtime/operator/relay/writeParameter";
import { captureOutput } from "../cli/captureOutput";
import { EMPTY_ENV, pipelineFlags } from "../cli/support/pipelineEnvironment";

/** The example service's schema wants an ISO 4217 code here, and `GET /` serves it. */
const KEY = "checkout/currency";
const SETTLE_MS = 20_000;

describe("a value the example service's schema refuses, in the local pipeline with real instance processes", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let name: string;

  before(async function () {
    this.timeout(120_000);
    pipeline = await startLocalPipeline({ invoker: { waitTimeSeconds: 1 } });
    name = pipeline.prefix + KEY;
  });
  after(() => pipeline?.stop());

  it("boots an instance started while SSM holds it on the last valid version, status shows it HELD BACK, and the revert that follows clears it", async () => {
    const valid = await current(pipeline, name);
    // The change event waits in the queue (as when it is still on its way): nothing reverts it yet.
    await pipeline.invoker.stop();
    let bad: WrittenParameter;
    try {
      bad = await pipeline.writeParameter(KEY, "euro");
      const [late] = await pipeline.fleet.start(1);
      assert.ok(late, "the instance started: its schema's refusal did not stop it");

      const state = await pipeline.fleetState();
      const instance = state.instances.find((i) => i.instanceId === late.instanceId)!;
      assert.equal(instance.held?.get(name), valid.version, "it holds the last version its schema accepts");
      assert.deepEqual(
        instance.divergence.map((d) => [d.name, d.held, d.current]),
        [[name, valid.version, bad.version]],
      );
      assert.match(instance.divergence[0]!.refused ?? "", /ISO 4217/);
      assert.equal((await serves(late.httpPort)).currency, valid.value);

      const out = captureOutput();
      assert.equal(await runStatus(pipelineFlags(pipeline), out, EMPTY_ENV), 1, out.text());
      const row = new RegExp(
        `! {2}${late.instanceId} .* HELD BACK: ${name} v${valid.version} \\(SSM v${bad.version} refused: .*ISO 4217`,
      );
      assert.match(out.text(), row);
      assert.doesNotMatch(out.text(), /DIVERGED/);
      assert.match(
        out.text(),
        new RegExp(
          `HELD BACK: 1 of 1 instances refuse SSM's current value and hold the last valid one \\(${late.instanceId}\\): fix the value in SSM`,
        ),
      );
    } finally {
      pipeline.invoker.start();
    }

    // The delayed event arrives: the instance refuses the value again, the function reverts it.
    const record = await pipeline.invoker.waitFor((r) => publishes(r.result?.published, name, bad.version), SETTLE_MS);
    const revert = record?.result?.reverts?.find((r) => r.name === name);
    assert.equal(revert?.action, "reverted", JSON.stringify(record?.result?.reverts));
    const converged = await untilConverged(pipeline, name, revert!.revertVersion!);
    assert.ok(converged.converged, JSON.stringify(converged.instances.map((i) => i.divergence)));
    const out = captureOutput();
    assert.equal(await runStatus(pipelineFlags(pipeline), out, EMPTY_ENV), 0, out.text());
    assert.match(out.text(), /CONVERGED: 1\/1 instances hold SSM's current version of all \d+ parameters/);
  });

  it("reverts a value every instance refuses in SSM within one invocation; every instance then holds the new version carrying the old value, and status shows the fleet converged with SSM", async () => {
    await pipeline.fleet.start(3 - pipeline.fleet.instances.length);
    assert.equal(pipeline.fleet.instances.length, 3);
    const before = await current(pipeline, name);

    const bad = await pipeline.writeParameter(KEY, "dollars");
    const record = await pipeline.invoker.waitFor((r) => publishes(r.result?.published, name, bad.version), SETTLE_MS);
    assert.ok(record, `version ${bad.version} was never handed to the function`);
    const refusals = record.result!.instances.map((i) => [i.outcome, i.reasons]);
    assert.deepEqual(refusals, Array(3).fill(["NACK", ["VALIDATION_FAILED"]]));

    // Within the invocation that saw the refusals: written back as a new version, said so in its description.
    const revert = record.result!.reverts?.find((r) => r.name === name);
    assert.deepEqual(
      {
        action: revert?.action,
        refusedVersion: revert?.refusedVersion,
        restoredVersion: revert?.restoredVersion,
        revertVersion: revert?.revertVersion,
        refusedBy: revert?.refusedBy,
        answered: revert?.answered,
      },
      {
        action: "reverted",
        refusedVersion: bad.version,
        restoredVersion: before.version,
        revertVersion: bad.version + 1,
        refusedBy: 3,
        answered: 3,
      },
    );
    const reverted = await current(pipeline, name);
    assert.deepEqual([reverted.version, reverted.value], [bad.version + 1, before.value]);
    const { Parameters: history = [] } = await pipeline.clients.ssm.send(
      new GetParameterHistoryCommand({ Name: name, MaxResults: 50 }),
    );
    assert.match(
      history.find((v) => v.Version === reverted.version)?.Description ?? "",
      new RegExp(
        `^config-refresh revert: version ${bad.version} refused by 3 of 3 instances \\(.*ISO 4217.*\\); value of version ${before.version} restored$`,
      ),
    );

    // The revert's own change event reaches every instance: each holds the new version, serving the old value.
    const state = await untilConverged(pipeline, name, reverted.version);
    assert.ok(state.converged, JSON.stringify(state.instances.map((i) => [i.instanceId, i.divergence])));
    for (const instance of pipeline.fleet.instances) {
      assert.equal(
        state.instances.find((i) => i.instanceId === instance.instanceId)?.held?.get(name),
        reverted.version,
        instance.instanceId,
      );
      assert.equal((await serves(instance.httpPort)).currency, before.value, instance.instanceId);
    }
    const out = captureOutput();
    assert.equal(await runStatus(pipelineFlags(pipeline), out, EMPTY_ENV), 0, out.text());
    assert.match(out.text(), /CONVERGED: 3\/3 instances hold SSM's current version of all \d+ parameters/);
  });
});

async function current(pipeline: LocalPipeline, name: string): Promise<{ version: number; value: string }> {
  const { Parameter } = await pipeline.clients.ssm.send(new GetParameterCommand({ Name: name }));
  return { version: Parameter?.Version ?? 0, value: Parameter?.Value ?? "" };
}

function publishes(
  published: readonly { name: string; version: number }[] | undefined,
  name: string,
  version: number,
): boolean {
  return published?.some((c) => c.name === name && c.version === version) ?? false;
}

/** The fleet's state once every instance holds `version` of `name` and the fleet converged, or at the bound. */
async function untilConverged(pipeline: LocalPipeline, name: string, version: number): Promise<FleetState> {
  const deadline = Date.now() + SETTLE_MS;
  let state = await pipeline.fleetState();
  while (!(state.converged && state.instances.every((i) => i.held?.get(name) === version)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await pipeline.fleetState();
  }
  return state;
}

/** What the instance's `GET /` serves. */
async function serves(httpPort: number): Promise<{ currency?: string }> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/`);
  return (await response.json()) as { currency?: string };
}
