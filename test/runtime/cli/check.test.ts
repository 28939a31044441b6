import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { githubAnnotation } from "../../../runtime/cli/format/githubAnnotation";
import { main } from "../../../runtime/cli/main";
import { captureOutput } from "./captureOutput";

const ROOT = path.resolve(__dirname, "../../..");
const STACK_FILES = ["beta", "staging", "production"].map((env) => path.join(ROOT, `stacks/app_config_${env}.yaml`));

describe("config-refresh check validates app_config files offline", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "crp-check-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes the three stack files of this repository with exit code 0", async () => {
    const out = captureOutput();
    assert.equal(await main(["check", "--app", "shop", ...STACK_FILES], out), 0, out.text());
    assert.match(out.text(), /PASS: 3 files, 0 invalid, 0 drifting keys/);
    assert.match(out.text(), /ok {4}.*app_config_beta\.yaml: \d+ parameters, 2 required secrets under \/shop\/beta\//);
  });

  it("fails with exit code 1 and prints file:line:column and key of each problem", async () => {
    const bad = path.join(dir, "app_config_beta.yaml");
    writeFileSync(bad, "log_level: debug\ndb:\n  password: hunter2\nempty:\n");
    const out = captureOutput();
    assert.equal(await main(["check", "--app", "shop", bad], out), 1);
    assert.match(out.text(), new RegExp(`FAIL  ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: 2 problems`));
    assert.match(out.text(), /app_config_beta\.yaml:3:3 db\/password: looks like a secret/);
    assert.match(out.text(), /app_config_beta\.yaml:4:\d+ empty: value is empty/);
  });

  it("reports a duplicate key and five other problems of the same file together, each with its line (exit 1)", async () => {
    const bad = path.join(dir, "app_config_beta.yaml");
    const file = [
      "log_level: info", // 1
      "db_password: hunter2", // 2: a secret-looking key
      '"bad key": 1', // 3: a name SSM refuses
      `big: ${"x".repeat(8_193)}`, // 4: over the size limit
      'hosts: [a, "b,c"]', // 5: a comma in a list item
      "empty:", // 6: an empty value
      "log_level: debug", // 7: the duplicate
      "",
    ].join("\n");
    writeFileSync(bad, file);
    const out = captureOutput();
    assert.equal(await main(["check", "--app", "shop", bad], out), 1, out.text());
    assert.match(out.text(), /FAIL {2}.*app_config_beta\.yaml: 6 problems/);
    const lines = out.stdout
      .map((line) => /app_config_beta\.yaml:(\d+):\d+ /.exec(line)?.[1])
      .filter((line) => line !== undefined)
      .map(Number);
    assert.deepEqual(lines, [2, 3, 4, 5, 6, 7]);
    assert.match(out.text(), /app_config_beta\.yaml:7:\d+ log_level: duplicate key/);
  });

  it("--format github prints one annotation per problem, on the problem's line and column, relative to the working directory", async () => {
    const bad = path.join(dir, "app_config_beta.yaml");
    writeFileSync(bad, "log_level: debug\ndb:\n  password: hunter2\nempty:\n");
    const out = captureOutput();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(await main(["check", "--app", "shop", "--format", "github", bad], out), 1);
    } finally {
      process.chdir(cwd);
    }
    const annotations = out.stdout.filter((line) => line.startsWith("::"));
    assert.equal(annotations.length, 2, out.text());
    assert.match(
      annotations[0]!,
      /^::error file=app_config_beta\.yaml,line=3,col=3,title=config-refresh check::db\/password: looks like a secret/,
    );
    assert.match(
      annotations[1]!,
      /^::error file=app_config_beta\.yaml,line=4,col=\d+,title=config-refresh check::empty: value is empty/,
    );
    assert.doesNotMatch(annotations.join("\n"), /[\r]|%(?!25|0D|0A|3A|2C)/);
  });

  it("--format github marks drift on the key's line in each file that declares it; a bad --format is a usage error", async () => {
    const beta = path.join(dir, "app_config_beta.yaml");
    const production = path.join(dir, "app_config_production.yaml");
    writeFileSync(beta, "log_level: debug\nfeatures:\n  new_checkout: true\n");
    writeFileSync(production, "log_level: warn\n");
    const out = captureOutput();
    assert.equal(await main(["check", "--format", "github", beta, production], out), 1);
    const annotations = out.stdout.filter((line) => line.startsWith("::"));
    assert.deepEqual(
      annotations.map((a) => /line=(\d+),col=(\d+)/.exec(a)?.slice(1)),
      [["3", "3"]],
    );
    assert.match(
      annotations[0]!,
      /title=config-refresh check%3A drift::features\/new_checkout: in beta, missing from production/,
    );
    assert.equal(await main(["check", "--format", "sarif", beta], captureOutput()), 2);
    const help = captureOutput();
    assert.equal(await main(["check", "--help"], help), 0);
    assert.match(
      help.text(),
      /--format F {3}plain \(default\)[\s\S]*github: each\s+problem as a GitHub Actions annotation/,
    );
  });

  it("escapes an annotation as the Actions toolkit does: %, CR, LF in the message, and : and , in properties too", () => {
    assert.equal(
      githubAnnotation(
        "error",
        "100% sure\r\nnext: line, here",
        { file: "/elsewhere/a:b,c.yaml", line: 2, col: 5, title: "t:1,2" },
        "/repo",
      ),
      "::error file=/elsewhere/a%3Ab%2Cc.yaml,line=2,col=5,title=t%3A1%2C2::100%25 sure%0D%0Anext: line, here",
    );
    assert.equal(githubAnnotation("warning", "plain"), "::warning::plain");
    assert.equal(
      githubAnnotation("error", "x", { file: "/repo/stacks/app_config_beta.yaml" }, "/repo"),
      "::error file=stacks/app_config_beta.yaml::x",
    );
  });

  it("reports drift: a key present in one environment and missing in another, and a type that differs", async () => {
    const beta = path.join(dir, "app_config_beta.yaml");
    const production = path.join(dir, "app_config_production.yaml");
    writeFileSync(beta, "log_level: debug\nfeatures:\n  new_checkout: true\nhosts: [a, b]\n");
    writeFileSync(production, "log_level: warn\nhosts: a\n");
    const out = captureOutput();
    assert.equal(await main(["check", beta, production], out), 1);
    assert.match(out.text(), /DRIFT 2 keys differ between environments/);
    assert.match(out.text(), /features\/new_checkout: in beta, missing from production/);
    assert.match(out.text(), /hosts: types differ \(beta: StringList, production: String\)/);
  });

  it("takes the app from the project's Pulumi.<env>.yaml above the file when --app is not given", async () => {
    require("node:fs").mkdirSync(path.join(dir, "stacks"));
    const copy = path.join(dir, "stacks", "app_config_beta.yaml");
    copyFileSync(STACK_FILES[0]!, copy);
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: my-project\nruntime: nodejs\n");
    writeFileSync(path.join(dir, "Pulumi.beta.yaml"), "config:\n  my-project:app: payments\n");
    const out = captureOutput();
    assert.equal(await main(["check", copy], out), 0, out.text());
    assert.match(out.text(), /under \/payments\/beta\//);
  });

  it("refuses a file whose name does not say its environment, and answers usage errors with exit code 2", async () => {
    const odd = path.join(dir, "config.yaml");
    writeFileSync(odd, "a: 1\n");
    const out = captureOutput();
    assert.equal(await main(["check", odd], out), 1);
    assert.match(out.text(), /must be app_config_<env>\.yaml/);
    assert.equal(await main(["check"], captureOutput()), 2);
    assert.equal(await main(["check", "--bogus", odd], captureOutput()), 2);
    assert.equal(await main(["nope"], captureOutput()), 2);
    const help = captureOutput();
    assert.equal(await main(["check", "--help"], help), 0);
    assert.match(help.text(), /Usage: config-refresh check/);
  });

  it("runs as the package's bin from the build output", function () {
    const bin = path.join(ROOT, "dist/runtime/cli/main.js");
    if (!existsSync(bin)) this.skip(); // `npm test` builds first; a bare mocha run may not have.
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    assert.equal(path.join(ROOT, pkg.bin["config-refresh"]!), bin);
    const output = execFileSync(process.execPath, [bin, "check", "--app", "shop", ...STACK_FILES], {
      encoding: "utf8",
    });
    assert.match(output, /PASS: 3 files/);
  });
});
