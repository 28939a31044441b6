import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

describe("the local pipeline and the config-refresh command", () => {
  it("load no @pulumi module (the component's defaults they reuse are plain modules)", () => {
    const root = path.join(__dirname, "..", "..", "..");
    const script = [
      "const local = require('./runtime/local');",
      "const cli = require('./runtime/cli/main');",
      "if (typeof local.startLocalPipeline !== 'function' || typeof cli.main !== 'function') throw new Error('missing exports');",
      "const pulumi = Object.keys(require.cache).filter((file) => file.includes(`${require('path').sep}@pulumi${require('path').sep}`));",
      "process.stdout.write(JSON.stringify({ pulumi, settings: Object.keys(require.cache).some((f) => f.endsWith(require('path').join('pipeline', 'settings.ts'))) }));",
    ].join("\n");
    const output = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: root, encoding: "utf8" });
    const { pulumi, settings } = JSON.parse(output) as { pulumi: string[]; settings: boolean };
    assert.ok(settings, "the component's settings module is what names the resources");
    assert.deepEqual(pulumi, []);
  });
});
