import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

describe("the config-refresh-pipeline/client entry point", () => {
  it("loads no @pulumi module", () => {
    const root = path.join(__dirname, "..", "..", "..");
    const script = [
      "const client = require('./runtime/client');",
      "if (typeof client.createConfigClient !== 'function') throw new Error('createConfigClient is not exported');",
      "const pulumi = Object.keys(require.cache).filter((file) => file.includes(`${require('path').sep}@pulumi${require('path').sep}`));",
      "process.stdout.write(JSON.stringify({ pulumi, loaded: Object.keys(require.cache).length }));",
    ].join("\n");
    const output = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: root, encoding: "utf8" });
    const { pulumi, loaded } = JSON.parse(output) as { pulumi: string[]; loaded: number };
    assert.ok(loaded > 10, "the probe really loaded the client");
    assert.deepEqual(pulumi, []);
  });
});
