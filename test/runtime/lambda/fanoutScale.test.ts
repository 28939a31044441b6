import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { FAN_OUT_DEFAULTS } from "../../../runtime/lambda/environment";
import { REFRESH_METRICS, type LambdaSettings } from "../../../runtime/lambda";
import { mapConcurrently } from "../../../runtime/lambda/fanout";
import { changeEvent } from "./support/events";
import { sampleOpenSockets } from "./support/openSockets";
import { RefreshFixture } from "./support/refreshFixture";
import { RefreshServerFleet } from "./support/refreshServerFleet";

const FLEET = 600;

describe("refresh Lambda: a fan-out to 600 instances (refresh servers in 3 worker processes, moto Cloud Map)", function () {
  this.timeout(180_000);
  let fx: RefreshFixture;
  let fleet: RefreshServerFleet;
  let settings: LambdaSettings;
  let prefix: string;
  const ids = Array.from({ length: FLEET }, (_, i) => `i-${i}`);

  before(async function () {
    this.timeout(180_000);
    fx = await RefreshFixture.start();
    fleet = RefreshServerFleet.start(3);
    prefix = fx.newPrefix();
    const token = `token-${randomUUID()}`;
    const tokenParameter = `/config-refresh${prefix}refresh-token`;
    await fx.put(tokenParameter, token, "SecureString");
    const { namespaceName, serviceName, serviceId } = await fx.createService();
    const ports = await fleet.startServers(ids, token);
    await mapConcurrently(ids, 20, (id) =>
      fx.registerInstance(serviceId, id, { AWS_INSTANCE_IPV4: "127.0.0.1", AWS_INSTANCE_PORT: String(ports.get(id)) }),
    );
    // The default settings, as the component deploys them: no concurrency or pool size given.
    settings = fx.settings({
      parameterPrefix: prefix,
      namespaceName,
      serviceName,
      refreshTokenParameter: tokenParameter,
    });
  });
  after(async () => {
    await fleet?.stop();
    await fx?.close();
  });

  it("reaches every instance, cold and then warm, never holding more channels than the bound", async () => {
    const name = `${prefix}log_level`;
    const { refresh, metrics } = fx.handler(settings);
    const figures: string[] = [];
    let callsBefore = new Map<string, number>();

    for (const [round, value] of ["warn", "error"].entries()) {
      await fx.put(name, value);
      const sockets = sampleOpenSockets();
      const result = await refresh(changeEvent(name, round === 0 ? "Create" : "Update"));
      const socketsPeak = sockets.stop();

      const outcomes = new Map<string, number>();
      for (const instance of result.instances)
        outcomes.set(instance.outcome, (outcomes.get(instance.outcome) ?? 0) + 1);
      assert.deepEqual(
        [...outcomes],
        [["ACK", FLEET]],
        `round ${round}: ${JSON.stringify(result.instances.find((i) => i.outcome !== "ACK"))}`,
      );
      // At least once: a call that outlives its deadline on a loaded machine is retried, and Refresh is idempotent.
      const calls = await fleet.calls();
      const uncalled = ids.filter((id) => (calls.get(id) ?? 0) <= (callsBefore.get(id) ?? 0));
      assert.deepEqual(uncalled, [], `every instance called in round ${round}`);
      callsBefore = calls;
      const channelsPeak = metrics.values.get(REFRESH_METRICS.openChannelsPeak)?.[round] ?? Infinity;
      assert.ok(channelsPeak <= FAN_OUT_DEFAULTS.concurrency, `${channelsPeak} channels open at once`);
      // A closed channel's socket lingers until the peer confirms the close: at most one closing per open channel.
      assert.ok(socketsPeak <= 2 * FAN_OUT_DEFAULTS.concurrency + 16, `${socketsPeak} sockets open at once`);
      figures.push(
        `${round === 0 ? "cold" : "warm"}: ${outcomes.get("ACK")}/${FLEET} ACK, channels ≤ ${channelsPeak}, sockets ≤ ${socketsPeak}`,
      );
    }
    assert.deepEqual(metrics.values.get(REFRESH_METRICS.cappedDiscoveries), [0, 0]);
    console.log(`      (${figures.join("; ")})`);
  });
});
