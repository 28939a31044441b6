import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AppConfigError, loadAppConfig, MAX_FILE_BYTES, type AppConfigProblem } from "../../../components/appConfig";

const dir = mkdtempSync(path.join(tmpdir(), "crp-appconfig-"));
let counter = 0;

/** Writes `text` to a fresh `app_config_test.yaml` and returns its path. */
function file(text: string): string {
  const target = path.join(dir, `${counter++}`, "app_config_test.yaml");
  require("node:fs").mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  return target;
}

/** The problems loadAppConfig reports for `text` (fails the test when it loads cleanly). */
function problemsOf(
  text: string,
  prefix = "/shop/test/",
): { problems: readonly AppConfigProblem[]; message: string; file: string } {
  const target = file(text);
  try {
    loadAppConfig(target, { prefix });
  } catch (error) {
    assert.ok(error instanceof AppConfigError, `expected AppConfigError, got ${String(error)}`);
    return { problems: error.problems, message: error.message, file: target };
  }
  assert.fail("the file loaded without problems");
}

/** Asserts one problem at `line` for `key` whose message matches `pattern`, and that the message names file:line. */
function assertProblem(result: ReturnType<typeof problemsOf>, line: number, key: string, pattern: RegExp): void {
  const found = result.problems.find((p) => p.line === line && p.key === key && pattern.test(p.message));
  assert.ok(found, `no problem at line ${line} for "${key}" matching ${pattern}; got:\n${result.message}`);
  const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  assert.match(result.message, new RegExp(`${escapeRegExp(result.file)}:${line}:\\d+ ${escapeRegExp(key)}:`));
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe("loadAppConfig reads a valid file", () => {
  it("flattens nested maps into path segments under the prefix, in file order", () => {
    const config = loadAppConfig(file("log_level: info\nhttp:\n  timeout_ms: 3000\n  retry:\n    max: 2\n"), {
      prefix: "/shop/test/",
    });
    assert.deepEqual(
      config.entries.map((e) => [e.key, e.name, e.type, e.value]),
      [
        ["log_level", "/shop/test/log_level", "String", "info"],
        ["http/timeout_ms", "/shop/test/http/timeout_ms", "String", "3000"],
        ["http/retry/max", "/shop/test/http/retry/max", "String", "2"],
      ],
    );
    assert.deepEqual(config.entries[2]!.position, { line: 5, column: 5 });
  });

  it("keeps scalars exactly as written: numbers, booleans and quoted text stay text", () => {
    const config = loadAppConfig(file('a: 0.10\nb: false\nc: "007"\nd: yes\ne: 1e3\n'));
    assert.deepEqual(
      config.entries.map((e) => e.value),
      ["0.10", "false", "007", "yes", "1e3"],
    );
  });

  it("turns a list of scalars into a StringList joined by commas", () => {
    const [entry] = loadAppConfig(file("origins:\n  - https://a.example\n  - https://b.example\n")).entries;
    assert.equal(entry!.type, "StringList");
    assert.equal(entry!.value, "https://a.example,https://b.example");
    assert.deepEqual(entry!.items, ["https://a.example", "https://b.example"]);
  });

  it("reads the long form with description, allowedPattern, tier and dataType", () => {
    const [entry] = loadAppConfig(
      file(
        'rollout:\n  value: 50\n  description: Share of sessions\n  allowedPattern: "^[0-9]+$"\n  tier: Advanced\n  dataType: text\n',
      ),
    ).entries;
    assert.deepEqual(
      {
        value: entry!.value,
        description: entry!.description,
        allowedPattern: entry!.allowedPattern,
        tier: entry!.tier,
        dataType: entry!.dataType,
      },
      { value: "50", description: "Share of sessions", allowedPattern: "^[0-9]+$", tier: "Advanced", dataType: "text" },
    );
  });

  it("lists required secrets by full name and accepts a flat key written with slashes", () => {
    const config = loadAppConfig(file("db/host: db.internal\nrequired_secrets:\n  - database/password\n"), {
      prefix: "/shop/test/",
    });
    assert.deepEqual(
      config.entries.map((e) => e.name),
      ["/shop/test/db/host"],
    );
    assert.deepEqual(
      config.requiredSecrets.map((s) => [s.name, s.position.line]),
      [["/shop/test/database/password", 3]],
    );
  });

  it("accepts a key that only contains a secret-like word inside another word, and notSecret: true", () => {
    const config = loadAppConfig(
      file("tokenizer_mode: fast\nrate:\n  tokens_per_minute:\n    value: 600\n    notSecret: true\n"),
    );
    assert.deepEqual(
      config.entries.map((e) => e.key),
      ["tokenizer_mode", "rate/tokens_per_minute"],
    );
  });

  it("loads the three stack files of this repository", () => {
    for (const env of ["beta", "staging", "production"]) {
      const config = loadAppConfig(path.join(__dirname, `../../../stacks/app_config_${env}.yaml`), {
        prefix: `/shop/${env}/`,
      });
      assert.ok(config.entries.length >= 10, env);
      assert.ok(
        config.entries.some((e) => e.type === "StringList"),
        `${env} has a list value`,
      );
      assert.ok(
        config.entries.some((e) => e.key.split("/").length >= 2),
        `${env} has a nested group`,
      );
    }
  });
});

describe("loadAppConfig reports every problem with file, line, column and key", () => {
  it("reports a YAML syntax error at its line", () => {
    const result = problemsOf("a: 1\nb: [1, 2\nc: 3\n");
    assert.ok(result.problems.length >= 1);
    assert.match(result.problems[0]!.message, /YAML/);
    assert.ok(result.problems[0]!.line >= 2, result.message);
  });

  it("reports a duplicate key at the second occurrence", () => {
    const result = problemsOf("a: 1\nb: 2\na: 3\n");
    assert.equal(result.problems[0]!.line, 3, result.message);
    assert.match(result.problems[0]!.message, /unique/i);
  });

  it("reports a duplicate key beside every other problem of the file, each on its line", () => {
    const text = [
      "log_level: info",
      "db_password: hunter2",
      '"bad key": 1',
      `big: ${"x".repeat(8_193)}`,
      'hosts: [a, "b,c"]',
      "empty:",
      "log_level: debug",
      "",
    ].join("\n");
    const result = problemsOf(text);
    assert.deepEqual(
      result.problems.map((p) => p.line).sort((a, b) => a - b),
      [2, 3, 4, 5, 6, 7],
      result.message,
    );
    assertProblem(result, 7, "log_level", /duplicate key: keys must be unique within a mapping \(first at line 1\)/);
  });

  it("reports a duplicate key inside a group with its full name", () => {
    assertProblem(
      problemsOf("http:\n  timeout: 1\n  timeout: 2\n"),
      3,
      "http/timeout",
      /duplicate key.*first at line 2/,
    );
  });

  it("reports a duplicate after flattening, naming both lines", () => {
    const result = problemsOf("http:\n  timeout: 1\nhttp/timeout: 2\n");
    assertProblem(result, 3, "http/timeout", /declared twice: also at line 2/);
  });

  it("reports characters SSM refuses in a name", () => {
    assertProblem(problemsOf('ok: 1\n"bad key": 2\n'), 2, "bad key", /characters SSM refuses/);
    assertProblem(problemsOf('group:\n  "na$me": 2\n'), 2, "group/na$me", /characters SSM refuses/);
  });

  it("reports a full name longer than 1011 characters", () => {
    const long = "k".repeat(1000);
    assertProblem(problemsOf(`a:\n  ${long}: 1\n`), 2, `a/${long}`, /1011/);
  });

  it("reports a hierarchy deeper than 15 levels (prefix included)", () => {
    let text = "";
    for (let i = 0; i < 14; i++) text += `${"  ".repeat(i)}l${i}:\n`;
    text += `${"  ".repeat(14)}leaf: 1\n`;
    const result = problemsOf(text);
    assertProblem(result, 14, Array.from({ length: 14 }, (_, i) => `l${i}`).join("/"), /deeper than 15 levels/);
    // 13 levels under the 2-level prefix is exactly 15: accepted.
    const ok = `${Array.from({ length: 12 }, (_, i) => `${"  ".repeat(i)}l${i}:`).join("\n")}\n${"  ".repeat(12)}leaf: 1\n`;
    assert.equal(loadAppConfig(file(ok), { prefix: "/shop/test/" }).entries[0]!.name.split("/").length - 1, 15);
  });

  it("reports a name starting with aws or ssm when there is no prefix", () => {
    const result = problemsOf("awsome: 1\n", "");
    assertProblem(result, 1, "awsome", /may not start with "aws" or "ssm"/);
  });

  it("reports a value over 4 KB for Standard and accepts it up to 8 KB for Advanced", () => {
    const big = "x".repeat(5000);
    assertProblem(
      problemsOf(`a: ok\nblob: ${big}\n`),
      2,
      "blob",
      /5000 bytes, a Standard parameter holds at most 4096/,
    );
    const config = loadAppConfig(file(`blob:\n  value: ${big}\n  tier: Advanced\n`));
    assert.equal(config.entries[0]!.value.length, 5000);
    assertProblem(problemsOf(`blob:\n  value: ${"y".repeat(9000)}\n  tier: Advanced\n`), 2, "blob", /8192/);
  });

  it("counts the size in UTF-8 bytes, not characters", () => {
    assertProblem(problemsOf(`emoji: ${"é".repeat(2100)}\n`), 1, "emoji", /4200 bytes/);
  });

  it("reports an empty value, an empty string, a null and an empty group", () => {
    const result = problemsOf('a:\nb: ""\nc: ~\nd: {}\ne: ok\n');
    assertProblem(result, 1, "a", /empty/);
    assertProblem(result, 2, "b", /empty/);
    assertProblem(result, 3, "c", /null/);
    assertProblem(result, 4, "d", /empty group/);
    assert.equal(result.problems.length, 4, result.message);
  });

  it("reports a comma inside a StringList item and an empty list", () => {
    const result = problemsOf("hosts:\n  - a.example\n  - b.example,c.example\nnone: []\n");
    assertProblem(result, 3, "hosts", /contains a comma/);
    assertProblem(result, 4, "none", /list is empty/);
  });

  it("reports non-scalar values: a list inside a list, a map inside a list, a map as a long-form value", () => {
    const result = problemsOf("a:\n  - [1, 2]\nb:\n  - x: 1\nc:\n  value:\n    nested: 1\n");
    assertProblem(result, 2, "a", /plain values/);
    assertProblem(result, 4, "b", /plain values/);
    assertProblem(result, 7, "c", /cannot be a mapping/);
  });

  it("refuses SecureString and keys that look like secrets, pointing to required_secrets", () => {
    const result = problemsOf(
      "db:\n  password: hunter2\napi_key: abc\nauth:\n  refresh_token: t\nsigning:\n  privateKey: k\nx:\n  value: v\n  type: SecureString\n",
    );
    assertProblem(result, 2, "db/password", /looks like a secret \("password"\).*required_secrets/);
    assertProblem(result, 3, "api_key", /looks like a secret \("api key"\)/);
    assertProblem(result, 5, "auth/refresh_token", /looks like a secret \("token"\)/);
    assertProblem(result, 7, "signing/privateKey", /looks like a secret/);
    assertProblem(result, 10, "x", /SecureString parameters never come from this file/);
  });

  it("refuses a PEM private key as a value whatever its key", () => {
    assertProblem(problemsOf('cert: "-----BEGIN RSA PRIVATE KEY-----\\nabc"\n'), 1, "cert", /private key/);
  });

  it("reports unknown long-form fields, bad tiers, data types and patterns", () => {
    const result = problemsOf(
      "a:\n  value: 1\n  descripton: typo\nb:\n  value: 1\n  tier: Premium\nc:\n  value: 1\n  dataType: aws:ec2:image\n" +
        'd:\n  value: abc\n  allowedPattern: "^[0-9]+$"\ne:\n  value: 1\n  allowedPattern: "(["\nf:\n  value: [a, b]\n  type: String\n',
    );
    assertProblem(result, 3, "a", /unknown field "descripton"/);
    assertProblem(result, 6, "b", /tier "Premium"/);
    assertProblem(result, 8, "c", /not an AMI id/);
    assertProblem(result, 11, "d", /does not match its allowedPattern/);
    assertProblem(result, 15, "e", /not a valid regular expression/);
    assertProblem(result, 18, "f", /type "String" does not match the value/);
  });

  it("reports bad required_secrets: not a list, a duplicate, one also declared as a parameter", () => {
    assertProblem(problemsOf("a: 1\nrequired_secrets: db/password\n"), 2, "required_secrets", /must be a list/);
    const result = problemsOf("db:\n  host: h\nrequired_secrets:\n  - db/pass\n  - db/pass\n  - db/host\n");
    assertProblem(result, 5, "db/pass", /listed twice/);
    assertProblem(result, 6, "db/host", /also declared as a parameter \(line 2\)/);
  });

  it("lists every problem of a file at once, sorted by line", () => {
    const result = problemsOf("a:\nok: 1\nb: ~\npassword: x\n");
    assert.deepEqual(
      result.problems.map((p) => p.line),
      [1, 3, 4],
    );
  });

  it("reports a top level that is not a mapping, and an empty file", () => {
    assert.match(problemsOf("- a\n- b\n").message, /top level must be a mapping/);
    assert.match(problemsOf("# only a comment\n").message, /file is empty/);
  });

  it("reports a file that cannot be read, naming it", () => {
    assert.throws(
      () => loadAppConfig(path.join(dir, "missing", "app_config_x.yaml")),
      /app_config_x\.yaml: 1 problem[\s\S]*cannot read the file/,
    );
  });
});

describe("loadAppConfig stops hostile files early with a clear error", () => {
  it("refuses an alias bomb of nested mappings after a bounded number of expansions", () => {
    // "billion laughs": each level holds nine references to the one before, 9^9 leaves in all.
    const lines = ["l0: &l0 {x: lol}"];
    for (let i = 1; i < 10; i++)
      lines.push(`l${i}: &l${i} {${Array.from({ length: 9 }, (_, j) => `k${j}: *l${i - 1}`).join(", ")}}`);
    const started = process.hrtime.bigint();
    const result = problemsOf(`${lines.join("\n")}\n`);
    assert.ok(
      result.problems.some((p) => /alias expansions \(a YAML alias bomb\?\)/.test(p.message)),
      result.message,
    );
    assert.ok(process.hrtime.bigint() - started < 5_000_000_000n, "stopped early, not after expanding the bomb");
  });

  it("refuses a list of aliased lists without expanding them, and caps the problems listed", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 30; i++) lines.push(`k${i}: [${Array(9).fill("*a").join(",")}]`);
    const result = problemsOf(`${lines.join("\n")}\n`);
    assert.ok(
      result.problems.some((p) => /plain values/.test(p.message)),
      result.message,
    );
    assert.ok(result.problems.length <= 201, `${result.problems.length} problems`);
  });

  it("refuses deep nesting with a message instead of a stack overflow", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const result = problemsOf(`a: ${deep}\n`);
    assert.match(result.message, /app_config_test\.yaml:1:\d+ YAML RESOURCE_EXHAUSTION.*nested too deeply/);
  });

  it("refuses a file over the size limit without parsing it", () => {
    const target = file(`a: ${"x".repeat(MAX_FILE_BYTES)}\n`);
    assert.throws(() => loadAppConfig(target), /the limit is/);
  });

  it("refuses a bad prefix", () => {
    assert.throws(() => loadAppConfig(file("a: 1\n"), { prefix: "shop/beta" }), /must look like "\/<app>\/<env>\/"/);
  });
});
