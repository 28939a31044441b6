import { strict as assert } from "node:assert";
import { REFRESH_METRICS, parsePublishedRevision, type LambdaSettings } from "../../../runtime/lambda";
import { RECONCILE_REQUEST, isReconcileRequest } from "../../../runtime/protocol";
import { changeEvent } from "./support/events";
import { RefreshFixture } from "./support/refreshFixture";

describe("refresh Lambda: the reconcile sweep (moto + own redis-server)", function () {
  let fx: RefreshFixture;

  before(async function () {
    this.timeout(60_000);
    fx = await RefreshFixture.start();
  });
  after(async () => fx?.close());
  afterEach(async () => fx.closeHandlers());

  const setup = (): { prefix: string; settings: LambdaSettings } => {
    const prefix = fx.newPrefix();
    return { prefix, settings: fx.settings({ parameterPrefix: prefix }) };
  };

  /** Writes `count` parameters and publishes each through its change event (nothing lost). */
  const seed = async (prefix: string, settings: LambdaSettings, count: number): Promise<string[]> => {
    const names = Array.from({ length: count }, (_, i) => `${prefix}p${String(i).padStart(2, "0")}`);
    for (const name of names) await fx.put(name, "1");
    const { refresh } = fx.handler(settings);
    await refresh(names.map((name) => changeEvent(name, "Create")));
    return names;
  };

  it("recognises only the exact reconcile request as one", () => {
    assert.equal(isReconcileRequest(RECONCILE_REQUEST), true);
    assert.equal(isReconcileRequest(JSON.parse(JSON.stringify(RECONCILE_REQUEST))), true);
    for (const other of [
      null,
      [],
      "reconcile",
      {},
      { "config-refresh": "other" },
      { ...RECONCILE_REQUEST, extra: 1 },
      changeEvent("/a/b", "Update"),
    ]) {
      assert.equal(isReconcileRequest(other), false, JSON.stringify(other));
    }
  });

  it("publishes nothing when every change was published by its event, with one sweep of ⌈n/10⌉ GetParametersByPath calls", async () => {
    const { prefix, settings } = setup();
    await seed(prefix, settings, 23);
    const before = await fx.readStream(settings);
    const { refresh, metrics } = fx.handler(settings);
    const mark = fx.ssmCalls.length;

    const result = await refresh(RECONCILE_REQUEST);

    assert.deepEqual(result.published, []);
    assert.deepEqual(result.reconciled, { parameters: 23, pages: 3, healed: 0 });
    assert.deepEqual(fx.ssmCalls.slice(mark), [
      "GetParametersByPathCommand",
      "GetParametersByPathCommand",
      "GetParametersByPathCommand",
    ]);
    assert.equal((await fx.readStream(settings)).length, before.length, "the stream is untouched");
    assert.equal(metrics.sum(REFRESH_METRICS.reconciled), 0);
    assert.deepEqual(
      metrics.values.get(REFRESH_METRICS.reconciled),
      [0],
      "a zero is recorded, so the alarm sees a datapoint",
    );
  });

  it("heals a change whose event was lost, a parameter never published and a deletion never published, in one sweep", async () => {
    const { prefix, settings } = setup();
    const names = await seed(prefix, settings, 12);
    const [updated, deleted] = [names[3]!, names[7]!];
    const updatedVersion = await fx.put(updated, "2"); // its event is lost
    const created = `${prefix}nested/new`;
    const createdVersion = await fx.put(created, "fresh"); // never published
    await fx.delete(deleted); // its event is lost
    const { refresh, metrics, logger } = fx.handler(settings);
    const mark = fx.ssmCalls.length;

    const result = await refresh(RECONCILE_REQUEST);

    const healed = result.published.map((c) => `${c.operation} ${c.name}@${c.version}`).sort();
    assert.deepEqual(
      healed,
      [`Create ${created}@${createdVersion}`, `Delete ${deleted}@1`, `Update ${updated}@${updatedVersion}`].sort(),
    );
    assert.equal(result.published.find((c) => c.name === updated)?.value, "2");
    assert.deepEqual(result.reconciled, { parameters: 12, pages: 2, healed: 3 });
    assert.equal(fx.countCalls("GetParametersByPathCommand", mark), 2);
    assert.equal(fx.ssmCalls.length - mark, 2, "no other SSM call");
    assert.equal(metrics.sum(REFRESH_METRICS.reconciled), 3);
    assert.equal(logger.find("reconciled: published a change no event had").length, 3);
    const hash = await fx.publishedHash(settings);
    assert.equal(parsePublishedRevision(hash[updated])?.version, updatedVersion);
    assert.equal(parsePublishedRevision(hash[deleted])?.operation, "Delete");

    const again = await refresh(RECONCILE_REQUEST);
    assert.deepEqual(again.published, [], "the next sweep finds nothing left to heal");
  });

  it("leaves a late change event with nothing to do after the sweep healed it", async () => {
    const { prefix, settings } = setup();
    const [name] = await seed(prefix, settings, 1);
    await fx.put(name!, "2");
    const { refresh } = fx.handler(settings);
    await refresh(RECONCILE_REQUEST);

    const late = await refresh(changeEvent(name!, "Update"));

    assert.deepEqual(late.published, []);
    assert.deepEqual(late.skipped, [{ name, reason: "duplicate" }]);
  });

  it("publishes the current state of a whole prefix after the stream and its hash were flushed", async () => {
    const { prefix, settings } = setup();
    await seed(prefix, settings, 5);
    await fx.redis.flushall();
    const { refresh } = fx.handler(settings);

    const result = await refresh(RECONCILE_REQUEST);

    assert.equal(result.reconciled?.healed, 5);
    assert.equal((await fx.readStream(settings)).length, 5);
  });

  it("never publishes a SecureString's ciphertext", async () => {
    const { prefix, settings } = setup();
    const name = `${prefix}secret`;
    await fx.put(name, "hunter2", "SecureString");
    const { refresh, logger } = fx.handler(settings);

    const result = await refresh(RECONCILE_REQUEST);

    const [change] = result.published;
    assert.deepEqual(
      { name: change?.name, type: change?.type, value: change?.value },
      { name, type: "SecureString", value: undefined },
    );
    assert.ok(!JSON.stringify(await fx.readStream(settings)).includes("hunter2"));
    assert.ok(!logger.text().includes("hunter2"));
  });

  it("fails the invocation, publishing nothing, when Parameter Store cannot be swept", async () => {
    const { settings } = setup();
    const broken = fx.settings({ parameterPrefix: settings.parameterPrefix, awsEndpoint: "http://127.0.0.1:9" });
    const { SSMClient } = await import("@aws-sdk/client-ssm");
    const ssm = new SSMClient({
      endpoint: "http://127.0.0.1:9",
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const { refresh, metrics } = fx.handler(broken, { ssm });

    await assert.rejects(refresh(RECONCILE_REQUEST), /GetParametersByPath .* failed/);

    assert.equal(metrics.sum(REFRESH_METRICS.retryableFailures), 1);
    assert.deepEqual(await fx.readStream(settings), []);
    ssm.destroy();
  });
});
