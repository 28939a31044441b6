import { strict as assert } from "node:assert";
import { runStatus } from "../../../runtime/cli/commands/status";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import type { FleetState } from "../../../runtime/operator/fleet/fleetState";
import { captureOutput } from "../cli/captureOutput";
import { EMPTY_ENV, pipelineFlags } from "../cli/support/pipelineEnvironment";
import { runBoto3 } from "./support/boto3Calls";

describe("a boto3 user's writes on the endpoint `npm run demo -- --keep` prints reach every instance", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(120_000);
    pipeline = await startLocalPipeline({ instances: 2, invoker: { waitTimeSeconds: 1 } });
    env = pipeline.commandEnvironment();
  });
  after(() => pipeline?.stop());

  it("applies a put of an existing name, then of a new name, in every instance", async () => {
    const existing = `${pipeline.prefix}log_level`;
    const created = `${pipeline.prefix}features/from_python`;
    const more = ["features/from_python_a", "features/from_python_b"].map((key) => pipeline.prefix + key);
    const answers = await runBoto3(env, [
      { op: "put_parameter", args: { Name: existing, Value: "debug", Overwrite: true } },
      ...[created, ...more].map((name) => ({ op: "put_parameter", args: { Name: name, Value: "on", Type: "String" } })),
    ]);
    const versions = answers.map((a) => (a.ok ? (a.response.Version as number) : a.code));
    const state = await fleetWhere((s) =>
      everyInstance(
        s,
        (held) => held.get(existing) === versions[0] && [created, ...more].every((name) => held.get(name) === 1),
      ),
    );
    assert.ok(state.converged, "every instance holds SSM's current versions");
  });

  it("treats a label move as a re-read: the event reaches the refresh function, every instance keeps the same version", async () => {
    const name = `${pipeline.prefix}log_level`;
    const before = await pipeline.fleetState();
    const [answer] = await runBoto3(env, [
      { op: "label_parameter_version", args: { Name: name, Labels: ["known-good"] } },
    ]);
    assert.ok(answer?.ok);
    const record = await pipeline.invoker.waitFor(
      (r) => r.result?.skipped.some((s) => s.name === name && s.reason === "label-without-new-version") ?? false,
      20_000,
    );
    assert.ok(record, "the refresh function handled the LabelParameterVersion event");
    const after = await pipeline.fleetState();
    assert.ok(after.converged);
    assert.deepEqual(
      after.instances.map((i) => i.held?.get(name)),
      before.instances.map((i) => i.held?.get(name)),
    );
  });

  it("applies delete_parameter and delete_parameters: no instance holds the names any more", async () => {
    // Names the service's schema lets go (deleting a required key is refused by every instance, by design).
    const names = ["features/from_python", "features/from_python_a", "features/from_python_b"].map(
      (key) => pipeline.prefix + key,
    );
    const answers = await runBoto3(env, [
      { op: "delete_parameter", args: { Name: names[0] } },
      { op: "delete_parameters", args: { Names: names.slice(1) } },
    ]);
    assert.deepEqual(
      answers.map((a) => a.ok),
      [true, true],
    );
    const state = await fleetWhere((s) => everyInstance(s, (held) => names.every((name) => !held.has(name))));
    assert.ok(state.converged);
  });

  it("leaves `config-refresh status` CONVERGED after all of it", async () => {
    const out = captureOutput();
    assert.equal(await runStatus(pipelineFlags(pipeline), out, EMPTY_ENV), 0, out.text());
    assert.match(out.text(), /CONVERGED: 2\/2 instances/);
  });

  /** Reads the fleet until `accept` holds (bounded: 20 s). */
  async function fleetWhere(accept: (state: FleetState) => boolean): Promise<FleetState> {
    const deadline = Date.now() + 20_000;
    let state = await pipeline.fleetState();
    while (!accept(state)) {
      if (Date.now() > deadline)
        assert.fail(`the fleet did not apply the change: ${JSON.stringify(state.instances.map((i) => i.divergence))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await pipeline.fleetState();
    }
    return state;
  }
});

function everyInstance(state: FleetState, accept: (held: ReadonlyMap<string, number>) => boolean): boolean {
  return (
    state.instances.length === 2 &&
    state.instances.every((instance) => instance.held !== undefined && accept(instance.held))
  );
}
