/**
 * Benchmark: the cost of running a Pulumi program that declares N parameters from an app_config
 * file, under `pulumi.runtime.setMocks` (what `pulumi preview` costs in this package's own code:
 * loading and validating the file, one live read, N resource registrations).
 * Prints medians over several runs and the per-parameter cost, to show the growth is linear.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runProgram } from "../test/support/pulumi/runProgram";
import { median, type BenchSection } from "./stats";

const PROGRAM = path.join(__dirname, "../test/components/parameters/fixtures/parametersProgram.ts");

/** An app_config file with `count` parameters spread over groups of 50. */
export function generatedAppConfig(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 50 === 0) lines.push(`group_${i / 50}:`);
    lines.push(`  key_${i}: value-${i}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Runs the program `runs(size)` times for each size and returns the table (the largest size runs
 * twice by default: each run takes seconds, and `npm run bench` must stay under 5 minutes).
 */
export async function benchParametersProgram(
  sizes = [1, 200, 2000],
  runs: (size: number) => number = (size) => (size >= 2000 ? 2 : 3),
): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(tmpdir(), "crp-bench-params-"));
  const rows: string[][] = [];
  const medians: number[] = [];
  try {
    for (const size of sizes) {
      const file = path.join(dir, `app_config_bench${size}.yaml`);
      writeFileSync(file, generatedAppConfig(size));
      const times: number[] = [];
      for (let i = 0; i < runs(size); i++) {
        const run = await runProgram({
          program: PROGRAM,
          stack: "bench",
          project: "parameters-test",
          config: {
            "parameters-test:file": file,
            "parameters-test:prefix": "/bench/params/",
            "aws:region": "eu-west-1",
          },
        });
        if (run.errors.length > 0) throw new Error(run.errors.join("\n"));
        const declared = run.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter").length;
        if (declared !== size) throw new Error(`declared ${declared} parameters, expected ${size}`);
        times.push(run.programMs ?? Number.NaN);
      }
      const m = median(times);
      medians.push(m);
      rows.push([String(size), m.toFixed(0), times.map((t) => t.toFixed(0)).join(" / ")]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The 1-parameter run is the fixed cost (loading @pulumi/aws, the file, one live read); the rest grows per parameter.
  const [fixed, small, large] = medians as [number, number, number];
  const [, smallSize, largeSize] = sizes as [number, number, number];
  const marginal = (size: number, ms: number): number => ((ms - fixed) / (size - 1)) * 1000;
  return {
    title: "Component program under mocks (AppConfigParameters)",
    headers: ["parameters", "median ms", "runs (ms)"],
    rows,
    notes: [
      `Fixed cost (1 parameter): ${fixed.toFixed(0)} ms. Marginal cost per parameter: ${marginal(smallSize, small).toFixed(0)} µs at ${smallSize}, ${marginal(largeSize, large).toFixed(0)} µs at ${largeSize}.`,
      `Above the fixed cost, ${largeSize} parameters take ${((large - fixed) / (small - fixed)).toFixed(1)}× the time of ${smallSize} for ${largeSize / smallSize}× the parameters (linear growth: ${largeSize / smallSize}×).`,
    ],
  };
}
