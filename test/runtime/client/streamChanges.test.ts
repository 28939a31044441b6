import { strict as assert } from "node:assert";
import { z } from "zod";
import { ssmBoolean, ssmInteger, type ClientEvent, type ConfigChange } from "../../../runtime/client";
import {
  buildStreamFields,
  defaultStreamKey,
  parseAckEntry,
  streamKeys,
  STREAM_FORMAT_VERSION,
} from "../../../runtime/protocol";
import { ClientPool, useTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { deleteParameter, messageOf, publish, putParameter, putParameters } from "./support/parameters";
import { settle, waitFor } from "./support/waitFor";

const schema = {
  log_level: z.enum(["debug", "info", "warn", "error"]),
  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
  "features/new_checkout": ssmBoolean().default(false),
};

describe("changes from the stream", function () {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  /** A path with the schema's keys in SSM, and a started client on it. */
  async function setUp(options: { instances?: number; strict?: boolean } = {}) {
    const path = uniquePath();
    const initial = await putParameters(env.ssm, path, { log_level: "info", "http/timeout_ms": "5000" });
    const started = [];
    for (let i = 0; i < (options.instances ?? 1); i++) {
      started.push(
        await clients.start({
          parameterPath: path,
          ssm: env.ssm,
          redis: env.redis.url,
          schema,
          instanceId: `i-${i}`,
          strict: options.strict ?? false,
        }),
      );
    }
    return { path, streamKey: defaultStreamKey(path), initial, clients: started, client: started[0]! };
  }

  describe("a valid change", () => {
    it("written to SSM and published reaches get() on 3 clients, each acknowledging it once", async () => {
      const { path, streamKey, clients: three } = await setUp({ instances: 3 });
      const change = await putParameter(env.ssm, `${path}log_level`, "debug");
      const [entryId] = await publish(env.admin, streamKey, [change]);

      await waitFor("the change on every client", () => three.every((c) => c.get("log_level") === "debug"));
      await waitFor(
        "three stream acks",
        async () => (await readAcks(streamKey)).filter((a) => a.via === "stream").length === 3,
      );
      const acks = (await readAcks(streamKey)).filter((a) => a.via === "stream");
      assert.deepEqual(acks.map((a) => a.instanceId).sort(), ["i-0", "i-1", "i-2"]);
      for (const ack of acks) {
        assert.equal(ack.name, `${path}log_level`);
        assert.equal(ack.version, change.version);
        assert.equal(ack.streamId, entryId);
        assert.equal(ack.changedAt, change.changedAt);
        assert.ok(ack.publishedAt !== undefined && ack.appliedAt >= ack.publishedAt);
      }
      for (const c of three) {
        assert.equal(c.state().lastStreamId, entryId);
        assert.equal(c.metrics().applied, 1);
      }
    });

    it("calls the listeners of its key and of its prefix once per swap, and not the others", async () => {
      const { path, streamKey, client } = await setUp();
      const seen: Record<string, ConfigChange[][]> = { level: [], features: [], http: [], all: [] };
      client.onChange("log_level", (changes) => seen.level!.push([...changes]));
      client.onChange("features/", (changes) => seen.features!.push([...changes]));
      client.onChange("http/timeout_ms", (changes) => seen.http!.push([...changes]));
      client.onChange("*", (changes) => seen.all!.push([...changes]));

      await publish(env.admin, streamKey, [
        await putParameter(env.ssm, `${path}log_level`, "warn"),
        await putParameter(env.ssm, `${path}features/new_checkout`, "true"),
      ]);
      await waitFor(
        "both keys",
        () => client.get("features/new_checkout") === true && client.get("log_level") === "warn",
      );

      assert.deepEqual(
        seen.level!.map((batch) => batch.map((c) => [c.key, c.previous, c.value, c.via])),
        [[["log_level", "info", "warn", "stream"]]],
      );
      assert.deepEqual(
        seen.features!.map((batch) => batch.map((c) => [c.key, c.previous, c.value])),
        [[["features/new_checkout", false, true]]],
      );
      assert.deepEqual(seen.http, []);
      assert.equal(seen.all!.length, 1, "one swap for one batch");
      assert.equal(seen.all![0]!.length, 2);
    });

    it("that only moves the version (same value) is acknowledged without calling listeners", async () => {
      const { path, streamKey, client } = await setUp();
      const snapshot = client.snapshot();
      let calls = 0;
      client.onChange("*", () => calls++);
      const same = await putParameter(env.ssm, `${path}log_level`, "info");
      await publish(env.admin, streamKey, [same]);
      await waitFor(
        "the new version",
        () => client.state().parameters.find((p) => p.key === "log_level")?.version === same.version,
      );
      assert.equal(calls, 0);
      assert.equal(client.snapshot(), snapshot, "no new snapshot for the same value");
      assert.equal(client.metrics().applied, 1);
    });
  });

  describe("a bad value", () => {
    it("is rejected once, reported, and the old value kept; a later valid version still applies", async () => {
      const { path, streamKey, client } = await setUp();
      const events: ClientEvent[] = [];
      client.onEvent((e) => events.push(e));
      const bad = await putParameter(env.ssm, `${path}http/timeout_ms`, "99999999");
      await publish(env.admin, streamKey, [bad]);
      await publish(env.admin, streamKey, [bad]); // at-least-once: the same entry again
      await waitFor("the rejection", () => client.metrics().rejected === 1);
      await settle(300);

      assert.equal(client.get("http/timeout_ms"), 5000);
      assert.equal(client.metrics().rejected, 1, "reported once per version");
      const rejected = events.filter((e) => e.type === "rejected");
      assert.equal(rejected.length, 1);
      assert.deepEqual(
        rejected.map((e) => e.type === "rejected" && [e.name, e.version, e.reason]),
        [[`${path}http/timeout_ms`, bad.version, "VALIDATION_FAILED"]],
      );
      assert.match(rejected[0]!.type === "rejected" ? rejected[0]!.detail : "", /Too big/);

      const good = await putParameter(env.ssm, `${path}http/timeout_ms`, "750");
      await publish(env.admin, streamKey, [good]);
      await waitFor("the valid version", () => client.get("http/timeout_ms") === 750);
    });
  });

  describe("versions", () => {
    it("only move forward: an older version published after a newer one is ignored, a duplicate changes nothing", async () => {
      const { path, streamKey, client } = await setUp();
      const v2 = await putParameter(env.ssm, `${path}log_level`, "warn");
      const v3 = await putParameter(env.ssm, `${path}log_level`, "error");
      await publish(env.admin, streamKey, [v3]);
      await waitFor("v3", () => client.get("log_level") === "error");
      await publish(env.admin, streamKey, [v2]);
      await publish(env.admin, streamKey, [v3]);
      await waitFor("both read", () => client.metrics().stale === 1 && client.metrics().unchanged === 1);
      assert.equal(client.get("log_level"), "error");
      assert.equal(client.metrics().applied, 1);
    });

    it("keep a deleted key deleted: a late copy of an older change does not resurrect it", async () => {
      const { path, streamKey, client } = await setUp();
      const created = await putParameter(env.ssm, `${path}features/new_checkout`, "true");
      await publish(env.admin, streamKey, [created]);
      await waitFor("created", () => client.get("features/new_checkout") === true);
      const deleted = await deleteParameter(env.ssm, created);
      await publish(env.admin, streamKey, [deleted]);
      await waitFor(
        "deleted (back to the schema default)",
        () => client.get("features/new_checkout") === false && client.raw("features/new_checkout") === undefined,
      );
      await publish(env.admin, streamKey, [created]);
      await waitFor("the late copy read", () => client.metrics().stale === 1);
      assert.equal(client.get("features/new_checkout"), false);
      assert.equal(
        client.state().parameters.some((p) => p.key === "features/new_checkout"),
        false,
      );

      // A real re-creation (SSM restarts at version 1, later modifiedAt) does apply.
      const recreated = await putParameter(env.ssm, `${path}features/new_checkout`, "true");
      assert.equal(recreated.version, 1);
      await publish(env.admin, streamKey, [recreated]);
      await waitFor("re-created", () => client.get("features/new_checkout") === true);
    });

    it("refuse deleting a required key: the old value stays", async () => {
      const { streamKey, client, initial } = await setUp();
      await publish(env.admin, streamKey, [await deleteParameter(env.ssm, initial.log_level!)]);
      await waitFor("the refusal", () => client.metrics().rejected === 1);
      assert.equal(client.get("log_level"), "info");
    });
  });

  describe("a SecureString change", () => {
    it("carries no value: the client reads exactly that version from SSM, decrypted", async () => {
      const path = uniquePath();
      await putParameters(env.ssm, path, { "db/password": ["first-password", "SecureString"] });
      const client = await clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url });
      const v2 = await putParameter(env.ssm, `${path}db/password`, "second-password", "SecureString");
      await putParameter(env.ssm, `${path}db/password`, "third-password", "SecureString"); // written since, not published yet
      assert.equal(v2.value, undefined);
      await publish(env.admin, defaultStreamKey(path), [v2]);
      await waitFor("v2", () => client.get("db/password") === "second-password");
      assert.equal(client.state().parameters[0]!.version, v2.version);
    });
  });

  describe("malformed entries", () => {
    it("are skipped and counted (missing fields, garbage, unknown format) while the valid ones around them apply", async () => {
      const { path, streamKey, client } = await setUp();
      const first = await putParameter(env.ssm, `${path}log_level`, "warn");
      const second = await putParameter(env.ssm, `${path}http/timeout_ms`, "1200");
      // All in one MULTI, so one XREAD batch holds the good entries and the bad ones between them.
      const stream = streamKeys(streamKey).stream;
      await env.admin
        .multi()
        .xadd(stream, "*", ...buildStreamFields(messageOf(first)))
        .xadd(stream, "*", "format", String(STREAM_FORMAT_VERSION), "name", `${path}log_level`, "operation", "Update")
        .xadd(stream, "*", "\u0000\u00ff\u0001", "\u00fe garbage")
        .xadd(stream, "*", "format", "99", "name", `${path}log_level`, "hologram", "yes")
        .xadd(stream, "*", ...buildStreamFields(messageOf(second)))
        .exec();

      await waitFor(
        "both valid entries",
        () => client.get("log_level") === "warn" && client.get("http/timeout_ms") === 1200,
      );
      const metrics = client.metrics();
      assert.equal(metrics.swaps, 1, "one batch, one swap");
      assert.equal(metrics.malformed, 2);
      assert.equal(metrics.unsupportedFormat, 1);
      assert.equal(metrics.applied, 2);
    });
  });

  describe("a derived object", () => {
    it("is rebuilt when its keys change, and the old one is closed only after the work running on it", async () => {
      const { path, streamKey, client } = await setUp();
      const closed: string[] = [];
      let builds = 0;
      const logger = client.derive(["log_level"], (cfg) => ({ level: cfg.log_level, build: ++builds }), {
        close: (old) => void closed.push(old.level),
      });
      assert.equal(logger.get().level, "info");

      let release!: () => void;
      const inFlight = logger.use(async (log) => {
        await new Promise<void>((resolve) => (release = resolve));
        return log.level;
      });
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}log_level`, "debug")]);
      await waitFor("the rebuild", () => logger.get().level === "debug");
      await publish(env.admin, streamKey, [await putParameter(env.ssm, `${path}http/timeout_ms`, "900")]);
      await waitFor("an unrelated change", () => client.get("http/timeout_ms") === 900);

      assert.equal(builds, 2, "not rebuilt for a key it does not depend on");
      assert.deepEqual(closed, [], "the old logger stays open while work runs on it");
      release();
      assert.equal(await inFlight, "info", "the in-flight work finished on the old object");
      await waitFor("the old one closed", () => closed.length === 1);
      assert.deepEqual(closed, ["info"]);
      await logger.close();
      assert.deepEqual(closed, ["info", "debug"]);
    });
  });

  async function readAcks(streamKey: string) {
    const entries = await env.admin.xrange(streamKeys(streamKey).acks, "-", "+");
    return entries.map(([id, fields]) => parseAckEntry(id, fields)).flatMap((p) => (p.ok ? [p.ack] : []));
  }
});
