import { strict as assert } from "node:assert";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { runDemo, type DemoReport } from "../../../runtime/local/demo/runDemo";
import { main as demoMain } from "../../../runtime/local/demo/main";
import { captureOutput } from "../cli/captureOutput";
import { descendantPids, isRunning } from "./support/processes";

const ROOT = path.resolve(__dirname, "../../..");
const DEMO_MAIN = path.join(ROOT, "runtime/local/demo/main.ts");

describe("npm run demo", function () {
  this.timeout(120_000);

  describe("run end to end with 3 instances", () => {
    let report: DemoReport;
    const lines: string[] = [];
    const started = new Set<number>();

    before(async () => {
      // Children this test process had before (esbuild's service under tsx) are not the demo's.
      const earlier = new Set(descendantPids(process.pid));
      report = await runDemo(
        { instances: 3, keep: false },
        {
          print: (line) => void lines.push(line),
          onPipeline: (pipeline) => {
            for (const { pid } of pipeline.processes()) started.add(pid);
            for (const pid of descendantPids(process.pid)) if (!earlier.has(pid)) started.add(pid);
          },
        },
      );
    });

    it("starts moto, redis and 3 instances, showing progress while each part starts", () => {
      const text = lines.join("\n");
      assert.match(text, /moto_server on http:\/\/127\.0\.0\.1:\d+ \(pid \d+/);
      assert.match(text, /redis-server on redis:\/\/127\.0\.0\.1:\d+ \(pid \d+/);
      assert.match(text, /stacks\/app_config_beta\.yaml: \d+ parameters and 2 required secrets under \/shop\/beta\//);
      assert.match(text, /EventBridge rule config-refresh-shop-beta-parameter-change: the component's pattern/);
      for (const n of [1, 2, 3]) assert.match(text, new RegExp(`instance shop-\\d ready \\(${n}/3\\)`));
      assert.equal(report.processes.filter((p) => /^shop-\d$/.test(p.role)).length, 3);
    });

    it("applies the valid change and the burst's last value on every instance, with a latency per instance", () => {
      const applied = report.changes.filter((c) => c.change.expect === "applied");
      assert.deepEqual(
        applied.map((c) => c.change.key),
        ["log_level", "cache/ttl_seconds", "http/timeout_ms"],
      );
      for (const change of applied) {
        assert.ok(change.ok, `${change.change.key}: ${JSON.stringify(change.instances)}`);
        for (const instance of change.instances) {
          assert.equal(instance.heldVersion, change.final.version);
          assert.ok(instance.latencyMs !== undefined && instance.latencyMs >= 0);
          assert.equal(instance.outcome, "ACK");
        }
      }
      const burst = applied.find((c) => c.change.key === "cache/ttl_seconds")!;
      assert.equal(burst.writes.length, 50);
      assert.match(lines.join("\n"), /50 writes → \d+ handler invocations? published \d+ versions?/);
    });

    it("rejects the value the schema refuses on every instance (NACK VALIDATION_FAILED), and no instance applies it", () => {
      assert.ok(report.rejectedEverywhere);
      const rejected = report.changes.find((c) => c.change.expect === "rejected")!;
      assert.equal(rejected.instances.length, 3);
      for (const instance of rejected.instances) {
        assert.equal(instance.outcome, "NACK");
        assert.equal(instance.reason, "VALIDATION_FAILED");
        assert.equal(instance.latencyMs, undefined, "no acknowledgement of the rejected version");
        assert.ok((instance.heldVersion ?? 0) < rejected.final.version);
      }
      assert.match(
        lines.join("\n"),
        /PASS {2}rejected everywhere: http\/timeout_ms v\d+ \("fast"\) refused by 3\/3 instances \(VALIDATION_FAILED\), applied by none/,
      );
    });

    it("ends the rejected step with SSM reverted: the revert's version, the time from the bad write to it, and every instance on it", () => {
      const rejected = report.changes.find((c) => c.change.expect === "rejected")!;
      const revert = rejected.revert!;
      assert.ok(report.reverted);
      assert.equal(revert.report?.action, "reverted");
      assert.equal(revert.report?.revertVersion, rejected.final.version + 1);
      assert.equal(revert.restoredValue, rejected.before);
      assert.deepEqual(revert.appliedBy, ["shop-1", "shop-2", "shop-3"]);
      assert.ok(revert.revertMs !== undefined && revert.revertMs >= 0);
      assert.ok(revert.convergedMs !== undefined && revert.convergedMs >= 0);
      const text = lines.join("\n");
      const duration = "\\d+(?:\\.\\d)? m?s";
      const v = rejected.final.version;
      assert.match(
        text,
        new RegExp(
          `reverted in SSM: v${v + 1} = ${JSON.stringify(rejected.before)} \\(the value of v\\d+\\), ${duration} after the bad write; every instance holds v${v + 1} ${duration} after it`,
        ),
      );
      assert.match(
        text,
        new RegExp(
          `its description: config-refresh revert: version ${v} refused by 3 of 3 instances \\(http/timeout_ms: .*\\); value of version \\d+ restored`,
        ),
      );
      assert.match(
        text,
        new RegExp(
          `PASS {2}reverted: http/timeout_ms v${v} → v${v + 1} \\(the value of v\\d+\\) in SSM, ${duration} after the bad write, every instance on it ${duration} after it`,
        ),
      );
    });

    it("starts an instance while SSM holds the rejected value: it boots on the last valid version, says which, then takes the revert", () => {
      const late = report.lateStart!;
      assert.ok(late.ok, JSON.stringify(late));
      assert.equal(late.instanceId, "shop-4");
      assert.ok(late.bootVersion !== undefined && late.bootVersion < late.bad.version);
      assert.match(late.refused ?? "", /http\/timeout_ms/);
      assert.equal(late.revert.report?.revertVersion, late.bad.version + 1);
      assert.deepEqual(late.revert.appliedBy, ["shop-1", "shop-2", "shop-3", "shop-4"]);
      const text = lines.join("\n");
      assert.match(
        text,
        new RegExp(`shop-4 booted on v${late.bootVersion}, the last valid version, and reports the key HELD BACK`),
      );
      assert.match(
        text,
        new RegExp(
          `PASS {2}started on the last valid version: shop-4, started while SSM held http/timeout_ms v${late.bad.version} \\("fast"\\), booted on v${late.bootVersion} \\(HELD BACK\\), then took the revert v${late.bad.version + 1}`,
        ),
      );
    });

    it("ends with every instance holding SSM's current version of every parameter (State RPC)", () => {
      assert.ok(report.converged);
      assert.equal(report.fleet.instances.length, 3);
      for (const instance of report.fleet.instances) assert.deepEqual(instance.divergence, [], instance.instanceId);
      assert.match(
        lines.join("\n"),
        /PASS {2}converged: 3\/3 instances hold SSM's current version of all \d+ parameters/,
      );
    });

    it("leaves no process it started running", () => {
      assert.ok(started.size >= 5, `moto, redis and 3 instances at least: ${[...started].join(", ")}`);
      assert.deepEqual([...started].filter(isRunning), []);
      assert.match(lines.at(-1) ?? "", /Stopped\./);
    });
  });

  describe("interrupted with Ctrl-C (SIGINT) while its instances start", () => {
    let demo: ChildProcess | undefined;
    afterEach(() => {
      if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill("SIGKILL");
    });

    it("stops everything it had started and exits 130", async () => {
      demo = spawn(process.execPath, ["--import", "tsx", DEMO_MAIN, "--instances", "2"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const child = demo;
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const seen = new Set<number>();
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on("line", (line) => {
          for (const match of line.matchAll(/pid (\d+)/g)) seen.add(Number(match[1]));
          if (/instance shop-\d ready \(1\/2\)/.test(line)) resolve();
        });
        void exited.then((code) =>
          reject(new Error(`the demo exited (${code}) before an instance was ready:\n${stderr}`)),
        );
      });
      for (const pid of descendantPids(child.pid!)) seen.add(pid);
      child.kill("SIGINT");
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /SIGINT: stopping everything it started/);
      assert.ok(seen.size >= 3, `moto, redis and an instance at least: ${[...seen].join(", ")}`);
      assert.deepEqual([...seen].filter(isRunning), [], "every process the demo started is gone");
    });
  });

  describe("its command line", () => {
    let bin: string | undefined;
    afterEach(() => {
      if (bin) rmSync(bin, { recursive: true, force: true });
      bin = undefined;
    });

    it("prints its help with exit 0, and refuses a bad --instances with exit 2", async () => {
      const help = captureOutput();
      assert.equal(await demoMain(["--help"], help), 0);
      assert.match(
        help.text(),
        /Usage: npm run demo -- \[options\][\s\S]*--instances N[\s\S]*--keep[\s\S]*Exit codes: 0/,
      );
      const bad = captureOutput();
      assert.equal(await demoMain(["--instances", "zero"], bad), 2);
      assert.match(bad.text(), /--instances must be a whole number from 1 to 50, got "zero"/);
      assert.equal(await demoMain(["--bogus"], captureOutput()), 2);
    });

    it("says which server is missing and how to install it, with exit 3, when moto_server is not on PATH", async () => {
      bin = mkdtempSync(path.join(tmpdir(), "crp-path-"));
      for (const tool of ["redis-server", "sh"]) symlinkSync(onPath(tool), path.join(bin, tool));
      const demo = spawn(process.execPath, ["--import", "tsx", DEMO_MAIN, "--instances", "1"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PATH: bin, AWS_ENDPOINT_URL: "" },
      });
      let stderr = "";
      demo.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const code = await new Promise<number | null>((resolve) => demo.once("exit", (c) => resolve(c)));
      assert.equal(code, 3, stderr);
      assert.match(
        stderr,
        /moto_server was not found on PATH: install moto with its server extra: pip install 'moto\[server\]'/,
      );
    });
  });
});

/** Where `tool` is on this machine's PATH. */
function onPath(tool: string): string {
  return execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
}
