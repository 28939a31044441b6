import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  bundleRefreshHandler,
  locateRefreshHandler,
  DEFAULT_RUNTIME_DIR,
  HANDLER_FILE,
  PROTO_FILE,
  type RefreshHandlerBundle,
} from "../../../components/refreshFunction/bundle";
import { lambdaEnvironment } from "../../../runtime/lambda/environment";
import { REPO_ROOT } from "../../support/pulumi/runProgram";

/** Loads the bundle in a fresh Node process, as the Lambda runtime does, and reports what it exports. */
function loadInFreshNode(dir: string): Promise<{ handler: string; protoBeside: boolean }> {
  const script = `const m = require(${JSON.stringify(path.join(dir, HANDLER_FILE))});
    process.stdout.write(JSON.stringify({ handler: typeof m.handler, protoBeside: require("node:fs").existsSync(require("node:path").join(${JSON.stringify(dir)}, "refresh.proto")) }));`;
  // The settings a deployed function has, so a handler that reads them at load time finds them.
  const env = {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "eu-west-1",
    ...lambdaEnvironment({
      parameterPrefix: "/shop/beta/",
      redisUrl: "rediss://127.0.0.1:6379",
      namespaceName: "ns",
      serviceName: "svc",
      refreshTokenParameter: "/config-refresh/shop/beta/refresh-token",
    }),
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script], { cwd: dir, env, timeout: 20_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`loading the bundle failed: ${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe("bundleRefreshHandler", function () {
  this.timeout(60_000);
  let bundle: RefreshHandlerBundle;
  let again: RefreshHandlerBundle;
  let dir: string;

  before(() => {
    bundle = bundleRefreshHandler({ nodeMajor: 20 });
    again = bundleRefreshHandler({ nodeMajor: 20 });
    dir = mkdtempSync(path.join(tmpdir(), "crp-bundle-"));
    writeFileSync(path.join(dir, HANDLER_FILE), bundle.code);
    writeFileSync(path.join(dir, PROTO_FILE), bundle.proto);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("from the source checkout", () => {
    it("bundles runtime/lambda/index.ts, the handler's entry", () => {
      assert.equal(bundle.entry, path.join(REPO_ROOT, "runtime", "lambda", "index.ts"));
    });

    it("produces one CommonJS file that exports the handler when Node loads it", async () => {
      const loaded = await loadInFreshNode(dir);
      assert.equal(loaded.handler, "function");
      assert.equal(loaded.protoBeside, true);
    });

    it("ships refresh.proto unchanged, for the protocol to load beside the bundle", () => {
      assert.equal(bundle.proto, readFileSync(path.join(REPO_ROOT, "runtime", "protocol", "refresh.proto"), "utf8"));
    });

    it("carries every dependency inside, the AWS SDK included, and no Pulumi module", () => {
      const required = new Set([...bundle.code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
      const external = [...required].filter((m) => !m.startsWith("node:") && !builtinModules.includes(m));
      // Only named inside an SDK error message that explains how to opt into the CRT signer.
      assert.deepEqual(
        external.filter((m) => m !== "@aws-sdk/signature-v4-crt"),
        [],
      );
      assert.match(
        bundle.code,
        /\/\/ \S*node_modules\/@aws-sdk\/client-ssm\//,
        "the SSM client is not inside the bundle",
      );
      assert.doesNotMatch(bundle.code, /@pulumi\//);
    });

    it("is deterministic: the same sources give the same bytes, with no absolute path of this machine", () => {
      assert.equal(again.code, bundle.code);
      assert.equal(bundle.code.includes(REPO_ROOT), false, "the bundle holds the checkout's absolute path");
      assert.equal(bundle.code.includes(tmpdir()), false);
    });

    it("targets the function's Node.js version", () => {
      const node22 = bundleRefreshHandler({ nodeMajor: 22 });
      assert.equal(typeof node22.code, "string");
      assert.throws(() => bundleRefreshHandler({ nodeMajor: 3 }), /bundling the refresh function from .* failed/);
    });
  });

  describe("from the published layout (dist/)", () => {
    it("finds dist/runtime/lambda/index.js and the proto copied beside the protocol", () => {
      const dist = path.join(REPO_ROOT, "dist", "runtime");
      assert.ok(
        existsSync(path.join(dist, "lambda", "index.js")),
        "dist/ is not built: run `npm run build` first (npm test does)",
      );
      const sources = locateRefreshHandler(dist);
      assert.equal(sources.entry, path.join(dist, "lambda", "index.js"));
      assert.equal(sources.proto, path.join(dist, "protocol", "refresh.proto"));
      assert.equal(sources.workingDir, path.join(REPO_ROOT, "dist"));
    });

    it("resolves the runtime folder beside components/ by default", () => {
      assert.equal(DEFAULT_RUNTIME_DIR, path.join(REPO_ROOT, "runtime"));
    });
  });

  describe("when the handler is missing", () => {
    it("fails naming the files it looked for", () => {
      const empty = mkdtempSync(path.join(tmpdir(), "crp-no-handler-"));
      try {
        assert.throws(
          () => locateRefreshHandler(empty),
          (error: Error) =>
            error.message.includes(path.join(empty, "lambda", "index.ts")) &&
            error.message.includes(path.join(empty, "lambda", "index.js")),
        );
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
