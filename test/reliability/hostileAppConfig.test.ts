import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { main } from "../../runtime/cli/main";
import { AppConfigError, loadAppConfig } from "../../components/appConfig";
import { MAX_FILE_BYTES } from "../../components/appConfig/loadAppConfig";
import { startLocalPipeline } from "../../runtime/local";
import { formatDuration } from "../../runtime/operator/format/textTable";
import { captureOutput } from "../runtime/cli/captureOutput";
import { Draw, scenarioRandom } from "./support/seed";
import { recordScenario } from "./support/summary";

/**
 * Generous bound on one refusal, as a multiple of the same run's floor (the check of a benign file as
 * large, or of the repository's own beta file, whichever took longer): it only catches a parser that
 * expands, recurses or reads without limit, which is thousands of times slower than reading once.
 */
const BOUND_RATIO = 100;
/** Repetitions of each floor measurement (the median is kept). */
const FLOOR_RUNS = 3;
/** Largest benign floor file: enough nodes to outweigh a fixed start-up cost, small enough to read fast. */
const FLOOR_MAX_BYTES = 64 * 1024;
const REAL_APP_CONFIG = path.resolve(__dirname, "../../stacks/app_config_beta.yaml");

interface HostileFile {
  label: string;
  /** Writes the file; returns its path. */
  write(file: string): void;
  /** What the error must say. */
  says: RegExp;
  /** What it must not say (noise that would bury the real problem). */
  never?: RegExp;
}

/** Hostile `app_config_<env>.yaml` files, sizes and shapes drawn from a seeded generator. */
function hostileFiles(draw: Draw): HostileFile[] {
  const depth = draw.int(7, 12);
  const fan = draw.int(6, 12);
  const laughs = (open: string, close: string, item: (i: number, j: number) => string): string => {
    const lines = [`l0: &l0 ${open}${item(0, 0).replace(/\*l-1/, "lol")}${close}`];
    for (let i = 1; i < depth; i++)
      lines.push(`l${i}: &l${i} ${open}${Array.from({ length: fan }, (_, j) => item(i, j)).join(", ")}${close}`);
    return `${lines.join("\n")}\n`;
  };
  const big = "z".repeat(draw.int(1, 3) * 1024 * 1024);
  const copies = draw.int(50, 90);
  return [
    {
      label: `billion laughs, mappings (${fan}^${depth} leaves)`,
      write: (file) =>
        writeFileSync(
          file,
          laughs("{", "}", (i, j) => `k${j}: *l${i - 1}`),
        ),
      says: /alias expansions \(a YAML alias bomb\?\)/,
      never: /value is empty/,
    },
    {
      label: `billion laughs, sequences (${fan}^${depth} leaves)`,
      write: (file) =>
        writeFileSync(
          file,
          laughs("[", "]", (i) => `*l${i - 1}`),
        ),
      says: /alias expansions \(a YAML alias bomb\?\)|plain values/,
    },
    {
      label: `merge-key bomb (<<: ${fan} aliases, ${depth} levels)`,
      write: (file) => {
        const lines = ["m0: &m0 {x: lol}"];
        for (let i = 1; i < depth; i++)
          lines.push(
            `m${i}: &m${i} {<<: [${Array(fan)
              .fill(`*m${i - 1}`)
              .join(", ")}], y${i}: ${i}}`,
          );
        writeFileSync(file, `${lines.join("\n")}\n`);
      },
      says: /alias expansions \(a YAML alias bomb\?\)|<<|merge/i,
    },
    {
      label: `a ${big.length >> 20} MB anchor aliased ${copies} times`,
      write: (file) => {
        const lines = [`base: &big ${big}`];
        for (let i = 0; i < copies; i++) lines.push(`copy${i}: *big`);
        writeFileSync(file, `${lines.join("\n")}\n`);
      },
      says: /over 4 ?KB|4096|alias expansions/,
    },
    {
      label: "an alias to itself",
      write: (file) => writeFileSync(file, "a: &a [*a]\nb: &b {c: *b}\n"),
      says: /YAML|alias/i,
    },
    {
      label: `flow nesting ${draw.int(20, 60)}k levels deep`,
      write: (file) => {
        const n = draw.int(20_000, 60_000);
        writeFileSync(file, `a: ${"[".repeat(n)}${"]".repeat(n)}\n`);
      },
      says: /nested too deeply|RESOURCE_EXHAUSTION|deeper/,
    },
    {
      label: `block nesting ${draw.int(800, 1500)} levels deep`,
      write: (file) => {
        const n = draw.int(800, 1_500);
        writeFileSync(file, `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} leaf\n`);
      },
      says: /deeper than 15 levels|nested too deeply/,
    },
    {
      label: "one byte over the size limit",
      write: (file) => writeFileSync(file, `a: ${"x".repeat(MAX_FILE_BYTES - 2)}\n`),
      says: /the limit is/,
    },
    {
      label: "a 2 GB (sparse) file",
      write: (file) => {
        writeFileSync(file, "");
        truncateSync(file, 2 * 1024 ** 3);
      },
      says: /the limit is/,
    },
    {
      label: "10,001 parameters",
      write: (file) => writeFileSync(file, `${Array.from({ length: 10_001 }, (_, i) => `p${i}: v`).join("\n")}\n`),
      says: /more than 10000 parameters/,
    },
    {
      label: "10,000 duplicate keys",
      write: (file) => writeFileSync(file, `${Array.from({ length: 10_000 }, () => "same: v").join("\n")}\n`),
      says: /more than 200 problems/,
    },
    {
      label: "a 1 MB key",
      write: (file) => writeFileSync(file, `${"k".repeat(1024 * 1024)}: v\n`),
      says: /1011|longer|characters|YAML/,
    },
    {
      label: "a 1 MB key inside a flow mapping",
      write: (file) => writeFileSync(file, `a: {"${"k!".repeat(512 * 1024)}": v}\n`),
      says: /characters SSM refuses|characters\)/,
    },
    {
      label: "language tags (!!js/function, !!python/object)",
      write: (file) =>
        writeFileSync(
          file,
          'a: !!js/function "function () { process.exit(1) }"\nb: !!python/object/apply:os.system ["true"]\n',
        ),
      says: /tag|YAML/i,
    },
    {
      label: "binary garbage",
      write: (file) => {
        const bytes = Buffer.alloc(draw.int(1_000, 100_000));
        for (let i = 0; i < bytes.length; i++) bytes[i] = draw.int(0, 255);
        writeFileSync(file, bytes);
      },
      says: /YAML|not a mapping|problem|value|key/i,
    },
  ];
}

/** Median time of `config-refresh check` on one file (its exit code does not matter: the floor is the reading). */
async function checkMedianMs(file: string): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < FLOOR_RUNS; run++) {
    const started = performance.now();
    await main(["check", "--app", "shop", file], captureOutput());
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(FLOOR_RUNS / 2)] ?? 0;
}

/**
 * Writes a benign file as large as `like` (up to {@link FLOOR_MAX_BYTES}) that the parser reads once from start to
 * end: one flat flow sequence, a node every two bytes, as dense in nodes as any hostile file here.
 */
function benignFileAsLarge(file: string, like: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const bytes = Math.min(statSync(like).size, FLOOR_MAX_BYTES);
  writeFileSync(file, `a: [${"x,".repeat(Math.max(Math.floor((bytes - 6) / 2), 1))}x]\n`);
  return file;
}

describe("hostile app_config files: config-refresh check, loadAppConfig and the local pipeline's start refuse them with a clear error, fast", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "crp-hostile-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses each one, naming the file and the position, within a bounded time and without echoing the file back", async () => {
    const { seed, random } = scenarioRandom("hostile app_config");
    const files = hostileFiles(new Draw(random));
    const outcomes: string[] = [];
    const slow: string[] = [];
    const unclear: string[] = [];
    let longest = 0;
    const realFileFloorMs = await checkMedianMs(REAL_APP_CONFIG);
    for (const [index, hostile] of files.entries()) {
      // Each file alone in its folder, named as the check wants (app_config_<env>.yaml).
      const file = path.join(dir, `h${index}`, "app_config_beta.yaml");
      mkdirSync(path.dirname(file), { recursive: true });
      hostile.write(file);

      const floorMs = Math.max(
        realFileFloorMs,
        await checkMedianMs(benignFileAsLarge(path.join(dir, `h${index}`, "benign", "app_config_beta.yaml"), file)),
      );

      // 1. The library call every entry point goes through.
      let started = performance.now();
      let error: unknown;
      try {
        loadAppConfig(file, { prefix: "/shop/beta/" });
      } catch (caught) {
        error = caught;
      }
      const loadMs = performance.now() - started;
      // 2. The pull-request check, as a person runs it.
      const out = captureOutput();
      started = performance.now();
      const code = await main(["check", "--app", "shop", file], out);
      const checkMs = performance.now() - started;
      longest = Math.max(longest, loadMs, checkMs);

      const text = out.text();
      if (process.env.RELIABILITY_VERBOSE && error instanceof AppConfigError)
        process.stdout.write(
          `      ${hostile.label}: ${error.problems
            .slice(0, 2)
            .map((p) => p.message.slice(0, 160))
            .join(" | ")}\n`,
        );
      if (!(error instanceof AppConfigError))
        unclear.push(`${hostile.label}: loadAppConfig ${error ? `threw ${(error as Error).name}` : "accepted it"}`);
      else if (!hostile.says.test(error.message) || hostile.never?.test(error.message))
        unclear.push(`${hostile.label}: "${error.message.slice(0, 300)}"`);
      else if (
        error.problems.length > 201 ||
        error.problems.some((problem) => problem.message.length + problem.key.length > 2_400)
      )
        unclear.push(
          `${hostile.label}: ${error.problems.length} problems, longest ${Math.max(...error.problems.map((p) => p.message.length))} characters`,
        );
      if (
        code !== 1 ||
        !text.includes(`FAIL  ${file}`) ||
        !new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+`).test(text)
      ) {
        unclear.push(`${hostile.label}: check exited ${code}: ${text.slice(0, 300)}`);
      }
      if (text.length > 100_000) unclear.push(`${hostile.label}: the check printed ${text.length} characters`);
      const ratio = Math.max(loadMs, checkMs) / floorMs;
      if (ratio > BOUND_RATIO)
        slow.push(
          `${hostile.label}: ${formatDuration(loadMs)} / ${formatDuration(checkMs)}, ${ratio.toFixed(0)}× its floor`,
        );
      outcomes.push(
        `${hostile.label}: ${formatDuration(Math.max(loadMs, checkMs))} (${ratio.toFixed(1)}× its floor, ${formatDuration(floorMs)})`,
      );
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
    process.stdout.write(outcomes.map((line) => `      ${line}\n`).join(""));
    recordScenario({
      scenario: "hostile app_config files",
      injected: `${files.length} files (seed ${seed}): alias/merge bombs, huge aliases, deep nesting, 2 GB, 10k keys, tags, garbage`,
      changesLost: 0,
      versionsRegressed: 0,
      crashes: 0,
      converge: "-",
      notes: `each refused with file:line:col by loadAppConfig and config-refresh check (exit 1); slowest ${formatDuration(longest)}`,
    });
    assert.deepEqual(unclear, [], "every file is refused with a clear error");
    assert.deepEqual(slow, [], `every refusal within ${BOUND_RATIO}× its floor`);
  });

  it("stops the local pipeline's start before any server is started", async () => {
    const file = path.join(dir, "bomb", "app_config_beta.yaml");
    mkdirSync(path.dirname(file), { recursive: true });
    const lines = ["l0: &l0 {x: lol}"];
    for (let i = 1; i < 10; i++)
      lines.push(`l${i}: &l${i} {${Array.from({ length: 9 }, (_, j) => `k${j}: *l${i - 1}`).join(", ")}}`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const progress: string[] = [];
    await assert.rejects(
      startLocalPipeline({ appConfigFile: file, app: "shop", onProgress: (event) => progress.push(event.step) }),
      (error: unknown) => {
        assert.ok(error instanceof AppConfigError);
        assert.match(error.message, /alias expansions/);
        return true;
      },
    );
    assert.deepEqual(progress, [], "nothing was started: no moto, no redis, no instance");
  });
});
