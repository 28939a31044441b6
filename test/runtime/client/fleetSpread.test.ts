import { strict as assert } from "node:assert";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ClientOptionsError } from "../../../runtime/client/errors";
import { loadCalls, spreadWindowMs } from "../../../runtime/client/reload/fleetSpread";
import { CLIENT_DEFAULTS, resetReloadWindowMs, resolveOptions } from "../../../runtime/client/resolveOptions";

const ssm = new SSMClient({ region: "eu-west-1" });
const base = { parameterPath: "/shop/beta/", ssm, redis: "redis://127.0.0.1:6379" };

describe("the fleet option: fleet-wide SSM reads spread for the account's quota", () => {
  after(() => ssm.destroy());

  it("spreads a window so that the fleet averages at most its calls a second, within its floor and an hour", () => {
    const fleet = { instances: 1_000, ssmCallsPerSecond: 20 };
    assert.equal(spreadWindowMs(fleet, 2, 30_000, 3_600_000), 100_000);
    assert.equal(spreadWindowMs({ instances: 10, ssmCallsPerSecond: 20 }, 2, 30_000, 3_600_000), 30_000, "the floor");
    assert.equal(spreadWindowMs({ instances: 100_000, ssmCallsPerSecond: 20 }, 2, 0, 3_600_000), 3_600_000);
    assert.deepEqual([loadCalls(0), loadCalls(10), loadCalls(16), loadCalls(10_000)], [1, 1, 2, 1_000]);
  });

  it("derives the SecureString read jitter and the reset window (by the parameters held) from the fleet's size", async () => {
    const resolved = await resolveOptions({ ...base, fleet: { instances: 10_000 } });
    assert.equal(resolved.secureReadJitterMs, 500_000, "10,000 reads at 20 a second");
    assert.equal(resetReloadWindowMs(resolved.resetReloadWindow, 16), 1_000_000, "2 pages each");
    assert.equal(resetReloadWindowMs(resolved.resetReloadWindow, 160), 3_600_000, "at most an hour");
    const small = await resolveOptions({ ...base, fleet: { instances: 5, ssmCallsPerSecond: 40 } });
    assert.equal(small.secureReadJitterMs, CLIENT_DEFAULTS.secureReadJitterMs, "never below the default");
    assert.equal(resetReloadWindowMs(small.resetReloadWindow, 16), CLIENT_DEFAULTS.resetReloadWindowMs);
  });

  it("keeps the fixed defaults without it, and an explicit window over the fleet's", async () => {
    const none = await resolveOptions(base);
    assert.equal(none.secureReadJitterMs, CLIENT_DEFAULTS.secureReadJitterMs);
    assert.equal(resetReloadWindowMs(none.resetReloadWindow, 10_000), CLIENT_DEFAULTS.resetReloadWindowMs);
    const explicit = await resolveOptions({
      ...base,
      fleet: { instances: 10_000 },
      resetReloadWindowMs: 0,
      secureReadJitterMs: 2_000,
    });
    assert.equal(resetReloadWindowMs(explicit.resetReloadWindow, 16), 0);
    assert.equal(explicit.secureReadJitterMs, 2_000);
  });

  it("refuses a fleet of no instance, a rate of zero, and a window over an hour, naming each", async () => {
    await assert.rejects(
      resolveOptions({
        ...base,
        fleet: { instances: 0, ssmCallsPerSecond: 0 },
        secureReadJitterMs: 3_600_001,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ClientOptionsError);
        const text = error.message;
        for (const option of ["fleet.instances", "fleet.ssmCallsPerSecond", "secureReadJitterMs"])
          assert.match(text, new RegExp(option.replace(".", "\\.")));
        return true;
      },
    );
  });
});
