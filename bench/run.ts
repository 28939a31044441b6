/**
 * `npm run bench`: runs every benchmark, prints its figures and writes bench/RESULTS.md.
 * Benchmarks print figures; they assert no timing.
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { benchParametersProgram } from "./parametersProgram";
import { toMarkdown, toText, type BenchSection } from "./stats";

async function main(): Promise<void> {
  const started = new Date();
  const sections: BenchSection[] = [];
  for (const bench of [() => benchParametersProgram()]) {
    const section = await bench();
    console.log(`\n${toText(section)}`);
    sections.push(section);
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const header = `# Benchmark results\n\nMeasured ${started.toISOString()} on ${machine}. All figures come from one run of \`npm run bench\`.\n\n`;
  writeFileSync(path.join(__dirname, "RESULTS.md"), header + sections.map(toMarkdown).join("\n"));
  console.log("\nwrote bench/RESULTS.md");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
