import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** The files `npm publish` would put in the tarball (`npm pack --dry-run`, scripts not run: no rebuild). */
function packedFiles(): string[] {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const [pack] = JSON.parse(output) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((file) => file.path);
}

describe("the published package", function () {
  this.timeout(60_000);
  before(function () {
    // `npm test` builds dist/ first (pretest); a bare mocha run on a fresh clone has not.
    if (!existsSync(path.join(ROOT, "dist/runtime/cli/main.js"))) this.skip();
  });

  it("ships the bin and the operator library it runs, and none of the demo harness or the example service", () => {
    const files = packedFiles();
    for (const shipped of [
      "dist/runtime/cli/main.js",
      "dist/runtime/operator/fleet/fleetState.js",
      "dist/runtime/client/index.js",
      "dist/components/index.js",
    ]) {
      assert.ok(files.includes(shipped), `${shipped} is published`);
    }
    const demo =
      /^(examples|bench|test|stacks)\/|^dist\/(examples|bench|test|stacks)\/|^dist\/runtime\/local\/(demo|fleet|servers|invoker|pipeline|types)\//;
    assert.deepEqual(
      files.filter((file) => demo.test(file)),
      [],
    );
  });

  it("runs the config-refresh bin from the build alone, with plain node", () => {
    const help = spawnSync(process.execPath, ["dist/runtime/cli/main.js", "--help"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: config-refresh <command>/);
    const check = spawnSync(process.execPath, ["dist/runtime/cli/main.js", "check", "stacks/app_config_beta.yaml"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /PASS: 1 file, 0 invalid/);
  });
});
