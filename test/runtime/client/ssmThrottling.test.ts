import { strict as assert } from "node:assert";
import { SSMClient } from "@aws-sdk/client-ssm";
import { emulatorClientConfig } from "../../../runtime/local/servers";
import { ClientPool, uniquePath, useTestEnvironment, type TestEnvironment } from "./support/environment";
import { putParameter, putParameters } from "./support/parameters";
import { ThrottlingEndpoint } from "./support/throttlingEndpoint";
import { waitFor } from "./support/waitFor";

/** 25 parameters: three pages of `GetParametersByPath` (10 a page). */
const VALUES = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${String(i).padStart(2, "0")}`, `v${i}`]));

describe("SSM throttling (moto behind an endpoint that answers ThrottlingException)", function () {
  this.timeout(60_000);
  const clients = new ClientPool();
  let env!: TestEnvironment;
  let throttling!: ThrottlingEndpoint;
  let ssm!: SSMClient;
  useTestEnvironment(clients, (ready) => {
    env = ready;
  });
  before(async () => {
    throttling = await ThrottlingEndpoint.start(env.moto.endpoint, "GetParametersByPath");
    // No SDK retry at all: what is proven is the client's own waiting, whatever SSMClient a service passes.
    ssm = new SSMClient({ ...emulatorClientConfig(throttling.endpoint), maxAttempts: 1 });
  });
  after(async () => {
    ssm?.destroy();
    await throttling?.stop();
  });

  it("starts although pages are throttled, reading each page again where it was, not the whole path", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, VALUES);
    throttling.throttle(3);
    const callsBefore = throttling.calls;
    const client = await clients.start({ parameterPath: path, ssm, redis: env.redis.url });
    assert.deepEqual(
      Object.keys(VALUES).map((key) => client.get(key)),
      Object.values(VALUES),
    );
    assert.equal(throttling.throttled >= 3, true);
    // 3 pages + 3 throttled reads: a restart from the first page would read more.
    assert.equal(throttling.calls - callsBefore, 3 + 3);
  });

  it("keeps a running instance serving while its reload waits out the throttling, then applies SSM's value", async () => {
    const path = uniquePath();
    await putParameters(env.ssm, path, VALUES);
    const client = await clients.start({ parameterPath: path, ssm, redis: env.redis.url });
    // A change no event announced (the reload is what finds it), then a throttled SSM.
    await putParameter(env.ssm, `${path}p00`, "changed");
    throttling.throttle(1_000);
    const throttledBefore = throttling.throttled;
    const reload = client.reload();
    await waitFor("the reload was throttled twice", () => throttling.throttled >= throttledBefore + 2);
    assert.equal(client.get("p00"), "v0", "the instance serves its last values meanwhile");
    throttling.throttle(0);
    const summary = await reload;
    assert.equal(client.get("p00"), "changed");
    assert.equal(summary.applied, 1);
  });
});
