import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SEEDED_FIELDS } from "../../../components/parameters";
import { ofType, runProgram, type ProgramRun } from "../../support/pulumi/runProgram";

const PROGRAM = path.join(__dirname, "fixtures/parametersProgram.ts");
const PARAMETER = "aws:ssm/parameter:Parameter";
const PREFIX = "/team/test/";
const FILE_TEXT = `log_level: info
http:
  timeout_ms: 3000
origins: [https://a.example, https://b.example]
rollout:
  value: 10
  description: Share of sessions
  tier: Advanced
required_secrets:
  - db/password
`;

describe("AppConfigParameters declares the parameters of an app_config file", () => {
  let dir: string;
  const run = (text: string, live: Record<string, string>): Promise<ProgramRun> => {
    const file = path.join(dir, `app_config_${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return runProgram({
      program: PROGRAM,
      stack: "test",
      project: "parameters-test",
      config: { "parameters-test:file": file, "parameters-test:prefix": PREFIX, "aws:region": "eu-west-1" },
      account: { parameters: live },
    });
  };
  const withSecret = { "/team/test/db/password": "SecureString" };
  let firstRun: ProgramRun;

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(path.join(tmpdir(), "crp-params-"));
    firstRun = await run(FILE_TEXT, withSecret);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("on a first run in an account that only holds the required secret", () => {
    it("declares one String or StringList parameter per key, with the file's values and metadata", () => {
      assert.deepEqual(firstRun.errors, []);
      const declared = ofType(firstRun, PARAMETER).map((r) => [
        r.name,
        r.inputs.type,
        r.inputs.value,
        r.inputs.tier,
        r.inputs.description ?? null,
      ]);
      assert.deepEqual(declared, [
        ["/team/test/log_level", "String", "info", "Standard", null],
        ["/team/test/http/timeout_ms", "String", "3000", "Standard", null],
        ["/team/test/origins", "StringList", "https://a.example,https://b.example", "Standard", null],
        ["/team/test/rollout", "String", "10", "Advanced", "Share of sessions"],
      ]);
      assert.deepEqual(firstRun.outputs.requiredSecrets, ["/team/test/db/password"]);
    });

    it("creates them (no import), never deletes them, and never updates a seeded field", () => {
      for (const resource of ofType(firstRun, PARAMETER)) {
        assert.equal(resource.importId, undefined, resource.name);
        assert.equal(resource.retainOnDelete, true, resource.name);
        assert.deepEqual([...resource.ignoreChanges].sort(), [...SEEDED_FIELDS].sort(), resource.name);
        assert.ok(resource.ignoreChanges.includes("value"));
      }
    });

    it("parents every parameter to the component and tags it with its prefix", () => {
      const component = firstRun.resources.find(
        (r) => r.type === "config-refresh-pipeline:parameters:AppConfigParameters",
      );
      assert.ok(component?.urn);
      for (const resource of ofType(firstRun, PARAMETER)) {
        assert.equal(resource.parentUrn, component.urn);
        assert.deepEqual(resource.inputs.tags, {
          "managed-by": "config-refresh-pipeline",
          "config-refresh:prefix": PREFIX,
        });
      }
    });

    it("reads the live names once per prefix, recursively and without decryption", () => {
      const reads = firstRun.invokes.filter((i) => i.token === "aws:ssm/getParametersByPath:getParametersByPath");
      assert.deepEqual(
        reads.map((r) => r.inputs),
        [{ path: "/team/test", recursive: true, withDecryption: false }],
      );
    });
  });

  describe("when a parameter was created by hand before the stack existed", () => {
    it("adopts exactly that one with import, without overwriting its value", async () => {
      const result = await run(FILE_TEXT, { ...withSecret, "/team/test/http/timeout_ms": "String" });
      assert.deepEqual(result.errors, []);
      const imported = ofType(result, PARAMETER).filter((r) => r.importId !== undefined);
      assert.deepEqual(
        imported.map((r) => [r.name, r.importId]),
        [["/team/test/http/timeout_ms", "/team/test/http/timeout_ms"]],
      );
      assert.ok(imported[0]!.ignoreChanges.includes("value"), "the hand-set value is never replaced by the file's");
      assert.deepEqual(result.outputs.adopted, ["/team/test/http/timeout_ms"]);
    });

    it("keeps a live parameter whose type differs from the file, with a warning", async () => {
      const result = await run(FILE_TEXT, { ...withSecret, "/team/test/origins": "String" });
      assert.deepEqual(result.errors, []);
      const origins = ofType(result, PARAMETER).find((r) => r.name === "/team/test/origins")!;
      assert.equal(origins.importId, "/team/test/origins");
      assert.ok(origins.ignoreChanges.includes("type"));
      assert.match(
        result.stderr ?? "",
        /\/team\/test\/origins exists as a String, the file says StringList: the live parameter is kept as it is/,
      );
    });
  });

  describe("when a value was edited in the console after the first run", () => {
    it("declares the same inputs as before with value ignored, so the engine sends no update", async () => {
      // The console edit only changes the live value; the program's desired state must not depend on it.
      const result = await run(FILE_TEXT, { ...withSecret, "/team/test/log_level": "String" });
      const before = ofType(firstRun, PARAMETER).find((r) => r.name === "/team/test/log_level")!;
      const after = ofType(result, PARAMETER).find((r) => r.name === "/team/test/log_level")!;
      assert.deepEqual(after.inputs, before.inputs);
      for (const field of ["value", "description", "tier", "allowedPattern", "dataType", "type"])
        assert.ok(after.ignoreChanges.includes(field), field);
    });
  });

  describe("when a key is removed from the file", () => {
    it("stops declaring it, and the previous run had marked it retainOnDelete so the live parameter stays", async () => {
      const result = await run(FILE_TEXT.replace("log_level: info\n", ""), {
        ...withSecret,
        "/team/test/log_level": "String",
      });
      assert.deepEqual(result.errors, []);
      assert.ok(!ofType(result, PARAMETER).some((r) => r.name === "/team/test/log_level"));
      assert.equal(ofType(firstRun, PARAMETER).find((r) => r.name === "/team/test/log_level")!.retainOnDelete, true);
    });
  });

  describe("when a required secret is missing", () => {
    it("fails the preview naming every missing secret with its file line, and declares no parameter", async () => {
      const result = await run(`${FILE_TEXT}  - api/signing_key\n`, {});
      assert.equal(ofType(result, PARAMETER).length, 0);
      const message = result.errors.join("\n");
      assert.match(message, /2 required secrets are missing from Parameter Store/);
      assert.match(message, /\/team\/test\/db\/password \(.*app_config_\w+\.yaml:10\)/);
      assert.match(message, /\/team\/test\/api\/signing_key \(.*app_config_\w+\.yaml:11\)/);
    });
  });

  describe("when the file is invalid", () => {
    it("fails the preview with the loader's file:line message and declares nothing", async () => {
      const result = await run("log_level: info\npassword: x\n", withSecret);
      assert.equal(ofType(result, PARAMETER).length, 0);
      assert.match(result.errors.join("\n"), /app_config_\w+\.yaml:2:1 password: looks like a secret/);
    });
  });
});
