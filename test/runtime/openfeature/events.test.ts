import { strict as assert } from "node:assert";
import {
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
  StandardResolutionReasons,
  type EventDetails,
} from "@openfeature/server-sdk";
import { Redis } from "ioredis";
import { startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { ConfigRefreshProvider, PROVIDER_NAME } from "../../../runtime/openfeature";
import { ClientPool } from "../client/support/environment";
import { waitFor } from "../client/support/waitFor";
import { listenToEvents, resetOpenFeature, type HeardEvent } from "./support/openFeature";

const FLAG = "features/new_checkout";

describe("provider events through OpenFeature, against the local pipeline", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;
  const clients = new ClientPool();

  before(async function () {
    this.timeout(90_000);
    pipeline = await startLocalPipeline({ invoker: { waitTimeSeconds: 1 } });
  });
  afterEach(async () => {
    await resetOpenFeature();
    await clients.closeAll();
  });
  after(() => pipeline?.stop());

  /** A client on the pipeline's path, and a provider on it set as OpenFeature's default. */
  async function setUp() {
    const client = await clients.start({
      parameterPath: pipeline.prefix,
      ssm: pipeline.clients.ssm,
      redis: pipeline.redisUrl,
      streamKey: pipeline.names.streamKey,
      acks: false,
    });
    const heard = listenToEvents();
    await OpenFeature.setProviderAndWait(new ConfigRefreshProvider({ client, staleAfterMs: 200 }));
    return { client, heard, flags: OpenFeature.getClient() };
  }

  function eventsOf(heard: readonly HeardEvent[], type: ProviderEvents): (EventDetails | undefined)[] {
    return heard.filter((event) => event.type === type).map((event) => event.details);
  }

  it("signals PROVIDER_READY once the provider is set", async () => {
    const { heard } = await setUp();
    const ready = eventsOf(heard, ProviderEvents.Ready);
    assert.equal(ready.length, 1);
    assert.equal(ready[0]?.providerName, PROVIDER_NAME);
  });

  it("announces a change written to SSM with its key in flagsChanged, and evaluates the new value from then on", async () => {
    const { heard, flags } = await setUp();
    const before = await flags.getBooleanDetails(FLAG, false);
    const next = before.value ? "false" : "true";
    const clientHandler: EventDetails[] = [];
    flags.addHandler(ProviderEvents.ConfigurationChanged, (details) => {
      if (details) clientHandler.push(details);
    });

    const written = await pipeline.writeParameter(FLAG, next);
    await waitFor(
      "the change announced",
      () => eventsOf(heard, ProviderEvents.ConfigurationChanged).length > 0,
      15_000,
    );

    const [changed] = eventsOf(heard, ProviderEvents.ConfigurationChanged);
    assert.deepEqual(changed?.flagsChanged, [FLAG]);
    assert.equal(changed?.providerName, PROVIDER_NAME);
    assert.deepEqual(
      clientHandler.map((details) => details.flagsChanged),
      [[FLAG]],
      "the client's handler heard it too",
    );
    const after = await flags.getBooleanDetails(FLAG, !before.value);
    assert.equal(after.value, next === "true");
    assert.equal(after.flagMetadata.version, written.version);
    assert.equal(after.reason, StandardResolutionReasons.STATIC);
  });

  it("signals PROVIDER_STALE while its Redis is down, serving the last values, and PROVIDER_READY once it is back", async () => {
    const { heard, flags } = await setUp();
    const redis = pipeline.servers.redis;
    assert.ok(redis, "the pipeline runs its own redis-server");
    const held = await flags.getBooleanDetails(FLAG, false);

    await redis.stop({ save: true });
    try {
      await waitFor("PROVIDER_STALE", () => eventsOf(heard, ProviderEvents.Stale).length === 1, 10_000);
      assert.equal(flags.providerStatus, ProviderStatus.STALE);
      assert.match(
        String(eventsOf(heard, ProviderEvents.Stale)[0]?.message),
        /cannot read its refresh stream \(.+\): flags keep their last values/,
      );
      const stale = await flags.getBooleanDetails(FLAG, !held.value);
      assert.equal(stale.value, held.value, "the last value, not the default");
      assert.equal(stale.reason, StandardResolutionReasons.STALE);
      assert.equal(stale.errorCode, undefined);
    } finally {
      await redis.launch();
    }

    await waitFor("PROVIDER_READY again", () => eventsOf(heard, ProviderEvents.Ready).length === 2, 15_000);
    assert.equal(flags.providerStatus, ProviderStatus.READY);
    assert.equal((await flags.getBooleanDetails(FLAG, false)).reason, StandardResolutionReasons.STATIC);
    assert.equal(eventsOf(heard, ProviderEvents.Stale).length, 1, "stale once for one outage");

    // And it listens again: the next change arrives.
    const written = await pipeline.writeParameter(FLAG, held.value ? "false" : "true");
    await waitFor(
      "the change after the restart",
      async () => (await flags.getBooleanDetails(FLAG, false)).flagMetadata.version === written.version,
      15_000,
    );
  });

  it("signals PROVIDER_STALE while Redis refuses the client's reads, and PROVIDER_READY once they succeed, connected throughout", async () => {
    const { client, heard, flags } = await setUp();
    const admin = new Redis(pipeline.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      // The connection stays up; every XREAD fails (NOPERM) and is retried after a backoff.
      await admin.call("ACL", "SETUSER", "default", "-xread");
      await waitFor("PROVIDER_STALE", () => eventsOf(heard, ProviderEvents.Stale).length === 1, 10_000);
      assert.match(String(eventsOf(heard, ProviderEvents.Stale)[0]?.message), /NOPERM/);
      assert.ok(client.metrics().streamErrors > 0 && client.metrics().reconnects === 0);
      await admin.call("ACL", "SETUSER", "default", "+xread");
      await waitFor("PROVIDER_READY again", () => eventsOf(heard, ProviderEvents.Ready).length === 2, 10_000);
      assert.equal(flags.providerStatus, ProviderStatus.READY);
      assert.equal(client.metrics().reconnects, 0, "told apart from a reconnection: reads simply succeed again");
    } finally {
      await admin.call("ACL", "SETUSER", "default", "+xread").catch(() => undefined);
      admin.disconnect();
    }
  });

  it("signals PROVIDER_ERROR when the client it reads is closed underneath it, and keeps answering the last values", async () => {
    const { client, heard, flags } = await setUp();
    const held = await flags.getBooleanDetails(FLAG, false);
    await client.close();
    await waitFor("PROVIDER_ERROR", () => eventsOf(heard, ProviderEvents.Error).length === 1);
    assert.match(String(eventsOf(heard, ProviderEvents.Error)[0]?.message), /configuration client was closed/);
    assert.equal(flags.providerStatus, ProviderStatus.ERROR);
    const details = await flags.getBooleanDetails(FLAG, !held.value);
    assert.equal(details.value, held.value);
    assert.equal(details.reason, StandardResolutionReasons.STALE);
  });
});
