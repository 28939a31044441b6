import { strict as assert } from "node:assert";
import { PipelineArgsError, resolvePipelineSettings } from "../../../components/pipeline/settings";
import { LambdaSettingsError, readLambdaSettings } from "../../../runtime/lambda";
import { ScopePattern as FanOutScopePattern } from "../../../runtime/lambda/fanout";
import { ScopePattern } from "../../../runtime/protocol/ScopePattern";

describe("scope pattern", () => {
  const tenants = ScopePattern.parse("/shop.v2/beta/tenants/{tenant}/");

  it("gives the scope of a name under it", () => {
    assert.deepEqual(tenants.match("/shop.v2/beta/tenants/acme/db/pool_size"), { tenant: "acme" });
  });

  it("gives no scope to a name outside it, or to the scope's own folder", () => {
    assert.equal(tenants.match("/shop.v2/beta/log_level"), undefined);
    assert.equal(tenants.match("/shop.v2/beta/tenants/"), undefined);
  });

  it("takes the pattern's text literally (a dot is a dot)", () => {
    assert.equal(tenants.match("/shopXv2/beta/tenants/acme/x"), undefined);
  });

  it("supports several attributes, each one path segment", () => {
    assert.deepEqual(ScopePattern.parse("/a/{region}/tenants/{tenant}/").match("/a/eu/tenants/acme/x"), {
      region: "eu",
      tenant: "acme",
    });
  });

  it("refuses a pattern without an attribute, or naming one twice", () => {
    assert.throws(() => ScopePattern.parse("/a/b/"), /no \{attribute\}/);
    assert.throws(() => ScopePattern.parse("/a/{t}/{t}/"), /twice/);
  });
});

describe("one scope-pattern rule at every end", () => {
  const PREFIX = "/shop/beta/";
  const ACCEPTED = [
    "/shop/beta/tenants/{tenant}/",
    "/shop/beta/{tenant}/",
    "/shop/beta/{a}/{b}/",
    "/shop/beta/regions/{region}/tenants/{tenant}/",
  ];
  const REFUSED = [
    "/shop/beta/t-{tenant}/",
    "/shop/beta/{a}{b}/",
    "/shop/beta/{1tenant}/",
    "/other/{x}/",
    "/shop/beta/tenants/",
    "/shop/beta/tenants/{tenant}",
    "/shop/beta/{t}/{t}/",
    "/shop/beta//{tenant}/",
    "/shop/beta/{AWS_INSTANCE_PORT}/",
    "shop/beta/{tenant}/",
  ];

  /** The component's verdict: `[]` when accepted, else its scopePattern problems. */
  function componentVerdict(pattern: string): string[] {
    try {
      resolvePipelineSettings(
        "shop-beta",
        { app: "shop", appConfigFile: "app_config_beta.yaml", scopePattern: pattern },
        "beta",
      );
      return [];
    } catch (error) {
      assert.ok(error instanceof PipelineArgsError, String(error));
      return error.problems.filter((p) => p.startsWith("scopePattern "));
    }
  }

  /** The Lambda's verdict at cold start: `[]` when accepted, else its CONFIG_REFRESH_SCOPE_PATTERN lines. */
  function lambdaVerdict(pattern: string): string[] {
    try {
      readLambdaSettings({
        CONFIG_REFRESH_PARAMETER_PREFIX: PREFIX,
        CONFIG_REFRESH_REDIS_URL: "redis://127.0.0.1:1",
        CONFIG_REFRESH_SCOPE_PATTERN: pattern,
      });
      return [];
    } catch (error) {
      assert.ok(error instanceof LambdaSettingsError, String(error));
      return error.message.split("\n").filter((line) => line.includes("CONFIG_REFRESH_SCOPE_PATTERN:"));
    }
  }

  for (const pattern of ACCEPTED) {
    it(`accepts ${pattern} in the component's settings, the Lambda's settings and the fan-out alike`, () => {
      assert.deepEqual(componentVerdict(pattern), []);
      assert.deepEqual(lambdaVerdict(pattern), []);
      assert.ok(FanOutScopePattern.parse(pattern, PREFIX).attributes.length > 0);
    });
  }

  for (const pattern of REFUSED) {
    it(`refuses ${pattern} in the component's settings, the Lambda's settings and the fan-out alike, for the same reasons`, () => {
      const reasons = ScopePattern.problems(pattern, PREFIX);
      assert.ok(reasons.length > 0, "the contract's parser refuses it");
      assert.deepEqual(
        componentVerdict(pattern),
        reasons.map((r) => `scopePattern ${JSON.stringify(pattern)} ${r}`),
      );
      assert.deepEqual(
        lambdaVerdict(pattern),
        reasons.map((r) => `  CONFIG_REFRESH_SCOPE_PATTERN: ${r}`),
      );
      assert.throws(
        () => FanOutScopePattern.parse(pattern, PREFIX),
        (error: Error) => reasons.every((r) => error.message.includes(r)),
      );
    });
  }

  it("gives every attribute of a pattern with several its own segment", () => {
    assert.deepEqual(ScopePattern.parse("/shop/beta/{a}/{b}/", PREFIX).match("/shop/beta/eu/acme/pool_size"), {
      a: "eu",
      b: "acme",
    });
    assert.equal(ScopePattern.parse("/shop/beta/{a}/{b}/", PREFIX).match("/shop/beta/eu"), undefined);
  });
});
