import { strict as assert } from "node:assert";
import { RegisterInstanceCommand } from "@aws-sdk/client-servicediscovery";
import { GetParameterCommand, GetParameterHistoryCommand } from "@aws-sdk/client-ssm";
import Redis from "ioredis";
import { runHistory } from "../../../runtime/cli/commands/history";
import { runRollback } from "../../../runtime/cli/commands/rollback";
import { runSet } from "../../../runtime/cli/commands/set";
import { main } from "../../../runtime/cli/main";
import { ensureServiceRegistry, startLocalPipeline, type LocalPipeline } from "../../../runtime/local";
import { streamKeys } from "../../../runtime/protocol";
import { WorkerFleet } from "../../reliability/support/workerFleet";
import { waitFor } from "../client/support/waitFor";
import { SilentServer } from "../operator/support/silentServer";
import { captureOutput } from "./captureOutput";
import { EMPTY_ENV, pipelineFlags } from "./support/pipelineEnvironment";

/** The example service wants an ISO 4217 code here; the third instance only EUR or USD. */
const KEY = "checkout/currency";
const NARROW = "shop-narrow";
const SETTLE_MS = 30_000;

interface JsonVersion {
  version: number;
  value?: string;
  description: string | null;
  revert: boolean;
  fleet:
    | { known: true; applied: number; refused: number; refusals: { instanceId: string; reason: string }[] }
    | { known: false; why: string };
}

describe("safe changes from the command line: pre-flight, history, rollback (moto, own Redis, real instances)", function () {
  this.timeout(90_000);
  let pipeline: LocalPipeline;
  let workers: WorkerFleet;
  let flags: string[];
  let redisFlags: string[];
  let name: string;

  before(async function () {
    this.timeout(180_000);
    pipeline = await startLocalPipeline({ instances: 2, invoker: { waitTimeSeconds: 1 } });
    workers = new WorkerFleet();
    await workers.start({
      instanceId: NARROW,
      parameterPath: pipeline.prefix,
      redisUrl: pipeline.redisUrl,
      streamKey: pipeline.names.streamKey,
      awsEndpoint: pipeline.connection.endpoint!,
      schema: "currency",
      tokens: [pipeline.refreshToken],
      serviceId: pipeline.registry.serviceId,
    });
    flags = pipelineFlags(pipeline);
    redisFlags = [...flags, "--redis-url", pipeline.redisUrl];
    name = pipeline.prefix + KEY;
  });
  after(async () => {
    await workers?.stopAll();
    await pipeline?.stop();
  });

  async function current(): Promise<{ version: number; value: string }> {
    const { Parameter } = await pipeline.clients.ssm.send(new GetParameterCommand({ Name: name }));
    return { version: Parameter?.Version ?? 0, value: Parameter?.Value ?? "" };
  }

  /** Waits until every registered instance holds `version` of the key (or, with `except`, all but that one). */
  async function untilHeld(version: number, except?: string): Promise<void> {
    await waitFor(
      `every instance${except ? ` but ${except}` : ""} holds v${version}`,
      async () => {
        const state = await pipeline.fleetState();
        const rest = state.instances.filter((i) => i.instanceId !== except);
        return rest.length === 3 - (except ? 1 : 0) && rest.every((i) => i.held?.get(name) === version);
      },
      SETTLE_MS,
    );
  }

  /** `history --json`, once `ready` holds for its versions (the acks are written just after each apply). */
  async function historyJson(ready: (versions: JsonVersion[]) => boolean = () => true): Promise<JsonVersion[]> {
    let versions: JsonVersion[] = [];
    await waitFor(
      "the history's outcomes",
      async () => {
        const out = captureOutput();
        assert.equal(await runHistory([KEY, "--json", ...redisFlags], out, EMPTY_ENV), 0, out.text());
        versions = (JSON.parse(out.stdout.join("")) as { versions: JsonVersion[] }).versions;
        return ready(versions);
      },
      SETTLE_MS,
    );
    return versions;
  }

  const outcome = (v: JsonVersion | undefined): string =>
    !v ? "missing" : v.fleet.known ? `${v.fleet.applied} applied, ${v.fleet.refused} refused` : "unknown";

  it("set of a value one instance's schema refuses writes nothing and exits 1, naming that instance and its reason", async () => {
    const before = await current();
    const out = captureOutput();
    assert.equal(await runSet([KEY, "GBP", ...flags], out, EMPTY_ENV), 1, out.text());
    assert.match(out.stdout.join("\n"), /SSM: ok \(String, Standard tier, 3 of 4096 bytes\)/);
    assert.match(out.stdout.join("\n"), /^ {5}shop-1 +127\.0\.0\.1:\d+ +would accept$/m);
    assert.match(
      out.stdout.join("\n"),
      /^ {2}! +shop-narrow +127\.0\.0\.1:\d+ +WOULD REFUSE: VALIDATION_FAILED .*EUR or USD/m,
    );
    assert.match(
      out.stderr.join("\n"),
      new RegExp(
        `^config-refresh set: 1 of 3 registered instances would refuse version ${before.version + 1} of ${name}: ` +
          `shop-narrow \\(VALIDATION_FAILED: .*EUR or USD.*\\)\\. Nothing was written: fix the value, or give --force`,
      ),
    );
    assert.deepEqual(await current(), before, "nothing was written");
  });

  it("with --force it writes: a value part of the fleet refuses stays (held back there), one the whole fleet refuses is reverted", async () => {
    const before = await current();
    const forced = captureOutput();
    assert.equal(await runSet([KEY, "GBP", "--force", ...flags], forced, EMPTY_ENV), 0, forced.text());
    assert.match(forced.text(), /--force: writing anyway \(1 of 3 registered instances would refuse/);
    assert.match(forced.text(), new RegExp(`${name} = GBP: version ${before.version + 1} \\(updated\\)`));
    await untilHeld(before.version + 1, NARROW);

    const usd = captureOutput();
    assert.equal(await runSet([KEY, "USD", "--wait", ...flags], usd, EMPTY_ENV), 0, usd.text());
    assert.match(usd.text(), /every instance holds version \d+ \(3 instances\)/);

    const euro = captureOutput();
    assert.equal(await runSet([KEY, "euro", "--force", ...flags], euro, EMPTY_ENV), 0, euro.text());
    assert.match(euro.text(), /--force: writing anyway \(3 of 3 registered instances would refuse/);
    const bad = before.version + 3;
    const record = await pipeline.invoker.waitFor(
      (r) => r.result?.reverts?.some((revert) => revert.name === name && revert.refusedVersion === bad) ?? false,
      SETTLE_MS,
    );
    const revert = record?.result?.reverts?.find((r) => r.name === name);
    assert.equal(revert?.action, "reverted", JSON.stringify(record?.result?.reverts));
    assert.deepEqual(await current(), { version: bad + 1, value: "USD" });
    await untilHeld(bad + 1);
  });

  it("history shows each of five versions with its fleet outcome: applied, refused by part of the fleet, refused by all and reverted", async () => {
    const first = (await current()).version - 4;
    const versions = await historyJson((all) => {
      const v = (n: number) => all.find((x) => x.version === n);
      return outcome(v(first + 1)) === "2 applied, 1 refused" && outcome(v(first + 4)) === "3 applied, 0 refused";
    });
    const v = (n: number) => versions.find((x) => x.version === n);
    assert.deepEqual(
      [first, first + 1, first + 2, first + 3, first + 4].map((n) => [n, v(n)?.value, outcome(v(n)), v(n)?.revert]),
      [
        [first, "EUR", "3 applied, 0 refused", false],
        [first + 1, "GBP", "2 applied, 1 refused", false],
        [first + 2, "USD", "3 applied, 0 refused", false],
        [first + 3, "euro", "0 applied, 3 refused", false],
        [first + 4, "USD", "3 applied, 0 refused", true],
      ],
    );
    const partial = v(first + 1)?.fleet;
    assert.deepEqual(partial?.known && partial.refusals.map((r) => [r.instanceId, r.reason]), [
      [NARROW, "VALIDATION_FAILED"],
    ]);
    assert.match(
      v(first + 4)?.description ?? "",
      new RegExp(`^config-refresh revert: version ${first + 3} refused by 3 of 3 instances`),
    );

    const out = captureOutput();
    assert.equal(await runHistory([KEY, ...redisFlags], out, EMPTY_ENV), 0, out.text());
    const text = out.stdout.join("\n");
    assert.match(
      text,
      new RegExp(`^${name} \\(String\\): ${versions.length} versions kept by SSM; fleet outcomes from`),
    );
    assert.match(
      text,
      new RegExp(`^${first + 4} .* USD +3 applied +config-refresh revert: version ${first + 3} `, "m"),
    );
    assert.match(text, new RegExp(`^${first + 3} .* euro +0 applied, 3 refused `, "m"));
    assert.match(text, new RegExp(`^${first + 1} .* GBP +2 applied, 1 refused `, "m"));
    assert.match(text, new RegExp(`^ {2}v${first + 1} {2}${NARROW}: VALIDATION_FAILED: .*EUR or USD`, "m"));
    assert.match(text, new RegExp(`^ {2}v${first + 3} {2}shop-1, shop-2: VALIDATION_FAILED: .*ISO 4217`, "m"));
  });

  it("rollback restores the previous value the fleet accepted as a new version, and --wait returns once every instance holds it", async () => {
    const before = await current();
    const out = captureOutput();
    assert.equal(await runRollback([KEY, "--wait", ...redisFlags], out, EMPTY_ENV), 0, out.text());
    // The current value is USD (the revert); GBP was refused by one instance: the one before is EUR.
    assert.match(
      out.text(),
      new RegExp(
        `rollback of ${name}: version ${before.version} → the value of version ${before.version - 4} ` +
          "\\(applied by 3, refused by 0\\)",
      ),
    );
    assert.match(out.text(), new RegExp(`${name} = EUR: version ${before.version + 1} \\(updated\\)`));
    assert.match(out.text(), new RegExp(`every instance holds version ${before.version + 1} \\(3 instances\\)`));
    assert.deepEqual(await current(), { version: before.version + 1, value: "EUR" });
    const state = await pipeline.fleetState();
    assert.deepEqual(
      state.instances.map((i) => i.held?.get(name)),
      [before.version + 1, before.version + 1, before.version + 1],
    );
    const { Parameters = [] } = await pipeline.clients.ssm.send(
      new GetParameterHistoryCommand({ Name: name, MaxResults: 50 }),
    );
    assert.equal(
      Parameters.find((p) => p.Version === before.version + 1)?.Description,
      `config-refresh rollback: value of version ${before.version - 4} restored (over version ${before.version})`,
    );
  });

  it("rollback --to a version SSM does not keep exits 1 with a sentence; a SecureString without --decrypt exits 2; both write nothing", async () => {
    const before = await current();
    const missing = captureOutput();
    assert.equal(await runRollback([KEY, "--to", "42", ...flags], missing, EMPTY_ENV), 1, missing.text());
    assert.equal(
      missing.stderr.join("\n"),
      `config-refresh rollback: version 42 of ${name} is not in SSM's history ` +
        `(SSM keeps versions 1–${before.version}): nothing was written`,
    );
    assert.deepEqual(await current(), before);

    const secret = captureOutput();
    assert.equal(
      await runRollback(["database/password", "--to", "1", ...redisFlags], secret, EMPTY_ENV),
      2,
      secret.text(),
    );
    assert.equal(
      secret.stderr.join("\n"),
      `config-refresh rollback: ${pipeline.prefix}database/password is a SecureString: rollback reads an earlier ` +
        "version's secret value and writes it back; give --decrypt to allow it (its value is never printed)",
    );
    assert.equal(await runRollback([KEY, ...flags], captureOutput(), EMPTY_ENV), 2, "no --redis-url without --to");
  });

  it("with the acks stream trimmed, history says unknown for every version it no longer holds, never 0", async () => {
    const admin = new Redis(pipeline.redisUrl);
    try {
      await admin.xtrim(streamKeys(pipeline.names.streamKey).acks, "MAXLEN", 0);
    } finally {
      admin.disconnect();
    }
    const versions = await historyJson();
    assert.ok(versions.length >= 6);
    for (const v of versions) assert.deepEqual(v.fleet, { known: false, why: "acks trimmed from the stream" });
    const out = captureOutput();
    assert.equal(await runHistory([KEY, ...redisFlags], out, EMPTY_ENV), 0);
    assert.doesNotMatch(out.stdout.join("\n"), /\d applied/);
    const rollback = captureOutput();
    assert.equal(await runRollback([KEY, ...redisFlags], rollback, EMPTY_ENV), 1, rollback.text());
    assert.match(rollback.stderr.join("\n"), /no earlier version .* with an unknown outcome\): nothing was written/);
  });

  describe("from a machine outside the VPC", () => {
    it("the pre-flight fails fast when no registered instance answers, says so and asks for a flag (exit 3); --no-preflight writes", async () => {
      const { serviceId } = await ensureServiceRegistry(pipeline.clients.serviceDiscovery, {
        namespaceName: pipeline.names.namespaceName,
        serviceName: "shop-in-a-vpc",
      });
      const silent = [await SilentServer.start(), await SilentServer.start()];
      try {
        for (const [i, server] of silent.entries()) {
          await pipeline.clients.serviceDiscovery.send(
            new RegisterInstanceCommand({
              ServiceId: serviceId,
              InstanceId: `vpc-${i + 1}`,
              Attributes: { AWS_INSTANCE_IPV4: "127.0.0.1", AWS_INSTANCE_PORT: String(server.port) },
            }),
          );
        }
        const before = await current();
        const out = captureOutput();
        const vpcFlags = [...flags, "--service", "shop-in-a-vpc"];
        assert.equal(await runSet([KEY, "USD", ...vpcFlags], out, EMPTY_ENV), 3, out.text());
        assert.match(out.stdout.join("\n"), /! +vpc-1 +127\.0\.0\.1:\d+ +NO ANSWER: /);
        assert.equal(
          out.stderr.join("\n"),
          `config-refresh set: cannot reach any of the 2 registered instances at ${silent[0]!.address}, ` +
            `${silent[1]!.address} from this machine (no Validate answer within 2000 ms): the instances answer ` +
            "only inside the pipeline's VPC, so the pre-flight cannot ask them from here. Nothing was written. " +
            "Give --no-preflight to write after SSM's own checks only, or --force to write whatever the fleet " +
            "answers; or run `config-refresh set` inside the VPC (a one-off ECS task in the services' subnets " +
            "with their security group, or AWS CloudShell in that VPC)",
        );
        assert.deepEqual(await current(), before, "nothing was written");

        const skipped = captureOutput();
        assert.equal(await runSet([KEY, "USD", "--no-preflight", ...vpcFlags], skipped, EMPTY_ENV), 0);
        assert.match(skipped.text(), /fleet: not asked \(--no-preflight\)/);
        assert.equal((await current()).version, before.version + 1);
      } finally {
        await Promise.all(silent.map((server) => server.stop()));
      }
    });
  });

  it("every new command answers --help, and SSM's own rules are checked before the fleet is asked", async () => {
    for (const command of ["history", "rollback", "set"]) {
      const help = captureOutput();
      assert.equal(await main([command, "--help"], help), 0);
      assert.match(help.text(), new RegExp(`^Usage: config-refresh ${command} NAME`));
      assert.match(help.text(), /Exit codes: 0 ok, 1 /);
    }
    const big = captureOutput();
    assert.equal(await runSet([KEY, "X".repeat(4_097), ...flags], big, EMPTY_ENV), 1);
    assert.match(big.stderr.join("\n"), /the value is 4097 bytes; a Standard parameter holds at most 4096/);
    assert.doesNotMatch(big.stdout.join("\n"), /would accept/, "the fleet was not asked");
  });
});
