import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

describe("the local pipeline and the config-refresh command", () => {
  it("load no @pulumi module (the names they share with the component come from the plain pipeline contract)", () => {
    const root = path.join(__dirname, "..", "..", "..");
    const script = [
      "const local = require('./runtime/local');",
      "const cli = require('./runtime/cli/main');",
      "if (typeof local.startLocalPipeline !== 'function' || typeof cli.main !== 'function') throw new Error('missing exports');",
      "const pulumi = Object.keys(require.cache).filter((file) => file.includes(require('path').sep + '@pulumi' + require('path').sep));",
      "process.stdout.write(JSON.stringify({ pulumi, contract: Object.keys(require.cache).some((f) => f.endsWith(require('path').join('protocol', 'pipelineContract.ts'))) }));",
    ].join("\n");
    const output = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    const { pulumi, contract } = JSON.parse(output) as { pulumi: string[]; contract: boolean };
    assert.ok(contract, "the pipeline contract is what names the resources");
    assert.deepEqual(pulumi, []);
  });
});
