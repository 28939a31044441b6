import { strict as assert } from "node:assert";
import * as path from "node:path";
import { loadAppConfig, SEEDED_FIELDS } from "../../components";
import { runProgram, type DeclaredResource, type ProgramRun } from "../support/pulumi/runProgram";
import { servicesVpcConfig } from "../support/pulumi/stackNetworks";

const STACKS = ["beta", "staging", "production"] as const;
const secretsOf = (env: string): Record<string, string> => ({
  [`/shop/${env}/database/password`]: "SecureString",
  [`/shop/${env}/payments/api_key`]: "SecureString",
});
/** The SSM parameters the stack declares from its app_config file (not the pipeline's own token parameters). */
const appParameters = (run: ProgramRun): DeclaredResource[] =>
  run.resources.filter(
    (r) =>
      r.type === "aws:ssm/parameter:Parameter" &&
      r.parentUrn?.includes("config-refresh-pipeline:parameters:AppConfigParameters::"),
  );

describe("the stack program declares each stack's app_config parameters", () => {
  const runs: Partial<Record<(typeof STACKS)[number], ProgramRun>> = {};
  before(async function () {
    this.timeout(120_000);
    for (const stack of STACKS)
      runs[stack] = await runProgram({
        stack,
        configOverrides: servicesVpcConfig(stack),
        account: { parameters: secretsOf(stack) },
      });
  });

  it("declares exactly beta's parameters, with their types and values", () => {
    const run = runs.beta!;
    assert.deepEqual(run.errors, []);
    const declared = Object.fromEntries(appParameters(run).map((r) => [r.name, `${r.inputs.type} ${r.inputs.value}`]));
    assert.deepEqual(declared, {
      "/shop/beta/log_level": "String debug",
      "/shop/beta/http/timeout_ms": "String 5000",
      "/shop/beta/http/retries": "String 3",
      "/shop/beta/http/keepalive": "String true",
      "/shop/beta/features/new_checkout": "String true",
      "/shop/beta/features/recommendations": "String false",
      "/shop/beta/features/rollout_percent": "String 100",
      "/shop/beta/endpoints/payments": "String https://payments.beta.shop.internal",
      "/shop/beta/endpoints/inventory": "String https://inventory.beta.shop.internal",
      "/shop/beta/endpoints/search": "String https://search.beta.shop.internal",
      "/shop/beta/cors/allowed_origins":
        "StringList https://beta.shop.example,https://admin.beta.shop.example,http://localhost:3000",
      "/shop/beta/checkout/max_items": "String 50",
      "/shop/beta/checkout/currency": "String EUR",
      "/shop/beta/checkout/payment_methods": "StringList card,paypal,sepa",
      "/shop/beta/cache/ttl_seconds": "String 30",
      "/shop/beta/cache/max_entries": "String 10000",
    });
    const rollout = appParameters(run).find((r) => r.name === "/shop/beta/features/rollout_percent")!;
    assert.equal(rollout.inputs.allowedPattern, "^(100|[1-9]?[0-9])$");
  });

  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      it("declares one parameter per key of its own file, under its own prefix, and nothing else", () => {
        const run = runs[stack]!;
        assert.deepEqual(run.errors, []);
        const expected = loadAppConfig(path.join(__dirname, `../../stacks/app_config_${stack}.yaml`), {
          prefix: `/shop/${stack}/`,
        });
        assert.deepEqual(
          appParameters(run)
            .map((r) => [r.name, r.inputs.type, r.inputs.value])
            .sort(),
          expected.entries.map((e) => [e.name, e.type, e.value]).sort(),
        );
        assert.ok(appParameters(run).every((r) => r.name.startsWith(`/shop/${stack}/`)));
        assert.equal(run.outputs.parameterPrefix, `/shop/${stack}/`);
      });

      it("marks every parameter retainOnDelete with its seeded fields ignored, and adopts none in a fresh account", () => {
        for (const resource of appParameters(runs[stack]!)) {
          assert.equal(resource.retainOnDelete, true, resource.name);
          assert.deepEqual([...resource.ignoreChanges].sort(), [...SEEDED_FIELDS].sort(), resource.name);
          assert.equal(resource.importId, undefined, resource.name);
        }
      });

      it("reads Parameter Store once for its prefix, not once per key", () => {
        const reads = runs[stack]!.invokes.filter(
          (i) => i.token === "aws:ssm/getParametersByPath:getParametersByPath" && i.inputs.path === `/shop/${stack}`,
        );
        assert.equal(reads.length, 1);
      });
    });
  }

  it("production differs from beta only through its file: log level warn, the new checkout off", () => {
    const value = (run: ProgramRun, name: string): unknown =>
      appParameters(run).find((r) => r.name === name)?.inputs.value;
    assert.equal(value(runs.production!, "/shop/production/log_level"), "warn");
    assert.equal(value(runs.production!, "/shop/production/features/new_checkout"), "false");
    assert.equal(value(runs.beta!, "/shop/beta/features/new_checkout"), "true");
  });
});

describe("the stack program against an account that is not fresh", () => {
  it("adopts a beta parameter created by hand and creates the rest", async function () {
    this.timeout(60_000);
    const run = await runProgram({
      stack: "beta",
      configOverrides: servicesVpcConfig("beta"),
      account: { parameters: { ...secretsOf("beta"), "/shop/beta/log_level": "String" } },
    });
    assert.deepEqual(run.errors, []);
    assert.deepEqual(
      appParameters(run)
        .filter((r) => r.importId)
        .map((r) => r.importId),
      ["/shop/beta/log_level"],
    );
    assert.deepEqual(run.outputs.adoptedParameterNames, ["/shop/beta/log_level"]);
  });

  it("says in the preview which declared parameters are missing from Parameter Store and will be created", async function () {
    this.timeout(60_000);
    const run = await runProgram({
      stack: "beta",
      configOverrides: servicesVpcConfig("beta"),
      account: { parameters: { ...secretsOf("beta"), "/shop/beta/log_level": "String" } },
    });
    assert.deepEqual(run.errors, []);
    const line =
      (run.stdout ?? "").split("\n").find((l) => l.includes("missing from Parameter Store and will be created")) ?? "";
    assert.match(
      line,
      /^info: .*15 of 16 declared parameters are missing from Parameter Store and will be created: \/shop\/beta\/http\/timeout_ms, /,
    );
    assert.match(line, /options\.refresh: always, or --refresh/);
    assert.equal(line.includes("/shop/beta/log_level"), false, "the live parameter is adopted, not listed");
  });

  it("fails the staging preview naming the required secret that nobody created", async function () {
    this.timeout(60_000);
    const run = await runProgram({
      stack: "staging",
      configOverrides: servicesVpcConfig("staging"),
      account: { parameters: { "/shop/staging/database/password": "SecureString" } },
    });
    assert.equal(appParameters(run).length, 0);
    assert.match(
      run.errors.join("\n"),
      /1 required secret is missing from Parameter Store[\s\S]*\/shop\/staging\/payments\/api_key \(.*app_config_staging\.yaml:\d+\)/,
    );
  });
});
