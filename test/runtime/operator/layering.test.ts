import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

/** Every `.ts` file under `dir` (relative to the repository root). */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The files of `runtime/local` a fresh process loads when it requires `modules` (through tsx). */
function localFilesLoadedBy(modules: readonly string[]): string[] {
  const script = [
    `for (const m of ${JSON.stringify(modules)}) require("./" + m);`,
    "const local = require('path').join(process.cwd(), 'runtime', 'local') + require('path').sep;",
    "process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(local)).map((f) => f.slice(local.length)).sort()));",
  ].join("\n");
  return JSON.parse(
    execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8" }),
  ) as string[];
}

describe("the operator library and the demo harness", function () {
  this.timeout(30_000);

  it("the operator library loads nothing of the demo harness (runtime/local)", () => {
    assert.deepEqual(localFilesLoadedBy(sourceFiles("runtime/operator")), []);
  });

  it("the config-refresh command loads no part of the demo harness", () => {
    assert.deepEqual(localFilesLoadedBy(["runtime/cli/main.ts"]), []);
  });
});
