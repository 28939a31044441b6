import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
};

/**
 * Requires `specifier` in a fresh plain Node process (no TypeScript loader), the way a user's
 * service does after `npm install`, and returns what it exports and which @pulumi files it loaded.
 */
function probe(specifier: string): { exported: string[]; pulumi: string[]; openFeature: string[]; loaded: number } {
  const script = [
    `const loaded = require(${JSON.stringify(specifier)});`,
    "const sep = require('path').sep;",
    "const files = (scope) => Object.keys(require.cache).filter((file) => file.includes(sep + scope + sep));",
    "const [pulumi, openFeature] = [files('@pulumi'), files('@openfeature')];",
    "process.stdout.write(JSON.stringify({ exported: Object.keys(loaded), pulumi, openFeature, loaded: Object.keys(require.cache).length }));",
  ].join("\n");
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" })) as ReturnType<
    typeof probe
  >;
}

describe("the package's published entry points", function () {
  this.timeout(60_000);
  before(function () {
    // `npm test` builds dist/ first (pretest); a bare mocha run on a fresh clone has not.
    if (!existsSync(path.join(ROOT, "dist/components/index.js"))) this.skip();
  });

  it("point every export at a file that the build produced", () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const files = typeof target === "string" ? [target] : [target.types, target.default];
      for (const file of files) assert.ok(existsSync(path.join(ROOT, file)), `${subpath} → ${file} is missing`);
    }
  });

  for (const entry of ["client", "lambda", "protocol", "openfeature"]) {
    it(`loads no @pulumi module through ${pkg.name}/${entry}`, () => {
      const result = probe(`${pkg.name}/${entry}`);
      assert.ok(result.loaded > 10, "the probe really loaded the entry point");
      assert.deepEqual(result.pulumi, []);
    });
  }

  it("exports what services embed, what the Lambda runs, and the protocol", () => {
    assert.ok(probe(`${pkg.name}/client`).exported.includes("createConfigClient"));
    assert.ok(probe(`${pkg.name}/lambda`).exported.includes("handler"));
    const protocol = probe(`${pkg.name}/protocol`).exported;
    for (const name of ["parseStreamEntry", "buildStreamFields", "createRefreshClient", "startRefreshServer"])
      assert.ok(protocol.includes(name), name);
  });

  it("exports the OpenFeature provider, built on the server SDK it requires as its peer", () => {
    const openFeature = probe(`${pkg.name}/openfeature`);
    assert.ok(openFeature.exported.includes("ConfigRefreshProvider"));
    assert.ok(openFeature.openFeature.some((file) => file.includes(`${path.sep}server-sdk${path.sep}`)));
  });

  it("keeps the OpenFeature SDK an optional peer, which no other entry point loads", () => {
    const manifest = pkg as unknown as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      dependencies: Record<string, string>;
    };
    assert.match(manifest.peerDependencies["@openfeature/server-sdk"] ?? "", /^\^1\./);
    assert.equal(manifest.peerDependenciesMeta["@openfeature/server-sdk"]?.optional, true);
    assert.deepEqual(
      Object.keys(manifest.dependencies).filter((name) => name.startsWith("@openfeature/")),
      [],
    );
    for (const entry of ["client", "lambda", "protocol"])
      assert.deepEqual(probe(`${pkg.name}/${entry}`).openFeature, [], entry);
  });

  it("exports the components and the app_config loader from the main entry point", () => {
    const main = probe(pkg.name);
    for (const name of ["ConfigRefreshPipeline", "AppConfigParameters", "loadAppConfig", "AppConfigError"])
      assert.ok(main.exported.includes(name), name);
  });
});
