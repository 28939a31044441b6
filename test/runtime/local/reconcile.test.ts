import { strict as assert } from "node:assert";
import { DeleteParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import type { FleetState } from "../../../runtime/operator/fleet/fleetState";
import type { RefreshResult } from "../../../runtime/lambda";

/** Polls `read` until `done` holds, at most `timeoutMs`; returns the last value read. */
async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

describe("the reconciler heals a lost change event for every instance (local pipeline: moto, redis-server, instance processes)", function () {
  this.timeout(120_000);
  const INSTANCES = 2;
  let pipeline: LocalPipeline;
  const sweeps: { endedAt: number; result: RefreshResult }[] = [];
  const ssmCalls: string[] = [];

  before(async function () {
    this.timeout(120_000);
    pipeline = await startLocalPipeline({
      instances: INSTANCES,
      invoker: { waitTimeSeconds: 1 },
      reconcileIntervalMs: 1_500,
      onReconcile: (result) => void sweeps.push({ endedAt: Date.now(), result }),
    });
    pipeline.clients.ssm.middlewareStack.add(
      (next, context) => async (args) => {
        ssmCalls.push(context.commandName ?? "unknown");
        return next(args);
      },
      { step: "initialize", name: "countReconcileCalls" },
    );
  });
  after(() => pipeline?.stop());

  const fleet = (): Promise<FleetState> => pipeline.fleetState();
  const everyInstanceHolds =
    (name: string, version: number | undefined) =>
    (state: FleetState): boolean =>
      state.instances.length === INSTANCES && state.instances.every((i) => i.held?.get(name) === version);

  it("publishes nothing while every change had its event", async () => {
    await waitUntil(fleet, (s) => s.converged && s.instances.length === INSTANCES, 30_000);
    const from = Date.now();
    const later = await waitUntil(
      async () => sweeps.filter((s) => s.endedAt > from),
      (found) => found.length >= 2,
      15_000,
    );
    assert.ok(later.length >= 2, "two sweeps ran");
    assert.deepEqual(
      later.map((s) => s.result.reconciled?.healed),
      later.map(() => 0),
    );
    assert.deepEqual(
      later.flatMap((s) => s.result.published),
      [],
    );
  });

  it("heals an update whose event never reached the rule within one period, with one sweep of the prefix", async () => {
    const name = `${pipeline.prefix}http/retries`;
    // Taken before the write: a sweep that publishes it ends after this, however slow the put's answer.
    const writeStartedAt = Date.now();
    // Written straight to SSM, without the relay: the change event is lost between SSM and the rule.
    const written = await pipeline.clients.ssm.send(
      new PutParameterCommand({ Name: name, Value: "4", Type: "String", Overwrite: true }),
    );
    const publishes = (s: { result: RefreshResult }): boolean =>
      s.result.published.some((p) => p.name === name && p.version === written.Version);

    // The instances read the healed entry off the stream before the sweep's fan-out returns: wait for both.
    const state = await waitUntil(fleet, everyInstanceHolds(name, written.Version), 20_000);
    await waitUntil(
      async () => sweeps.filter((s) => s.endedAt > writeStartedAt),
      (after) => after.some(publishes) && after.length > after.findIndex(publishes) + 1,
      20_000,
    );

    assert.ok(
      everyInstanceHolds(name, written.Version)(state),
      `every instance holds ${name}@${written.Version}: ${JSON.stringify(state.instances.map((i) => i.divergence))}`,
    );
    const after = sweeps.filter((s) => s.endedAt > writeStartedAt);
    const healing = after.findIndex(publishes);
    // The sweep in flight at the write may have read SSM before it; the next one heals it.
    assert.ok(healing === 0 || healing === 1, `healed by the first or second sweep after the write, got ${healing}`);
    // Healed once: the sweep after the healing one finds the published hash current and publishes nothing.
    assert.deepEqual(
      after.slice(healing + 1).flatMap((s) => s.result.published.filter((p) => p.name === name)),
      [],
    );
    const sweep = after[healing]!.result;
    assert.equal(sweep.reconciled?.healed, 1);
    const parameters = sweep.reconciled?.parameters ?? 0;
    assert.equal(
      sweep.reconciled?.pages,
      Math.max(1, Math.ceil(parameters / 10)),
      "one GetParametersByPath call per 10 parameters",
    );
    assert.ok(
      ssmCalls.every((c) => c !== "GetParametersCommand"),
      "the sweep reads nothing name by name",
    );
  });

  it("publishes a deletion whose event was lost, and tells every instance (which keeps a key its schema requires)", async () => {
    const name = `${pipeline.prefix}http/retries`;
    const deletedAt = Date.now();
    await pipeline.clients.ssm.send(new DeleteParameterCommand({ Name: name }));

    const healed = await waitUntil(
      async () =>
        sweeps.find(
          (s) => s.endedAt > deletedAt && s.result.published.some((p) => p.name === name && p.operation === "Delete"),
        ),
      (found) => found !== undefined,
      20_000,
    );

    assert.ok(healed, "a sweep published the deletion");
    assert.deepEqual(
      healed.result.published.map((p) => [p.name, p.operation]),
      [[name, "Delete"]],
    );
    // The example service's schema requires every key: each instance answers, and refuses the deletion.
    assert.equal(healed.result.instances.length, INSTANCES);
    assert.ok(
      healed.result.instances.every((i) => i.outcome === "NACK"),
      JSON.stringify(healed.result.instances.map((i) => i.reasons)),
    );
  });
});
