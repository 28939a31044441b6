/**
 * How long a value the whole fleet refuses stays in SSM: starts the local pipeline with N example
 * services (real processes), writes a value their schema refuses `repeats` times (the demo's change,
 * through the relay and the invoker as in the demo), and prints the medians of the bad write → the
 * revert's write (SSM's modification times) and → the last instance holding the revert (its ack).
 * Not part of `npm run bench`: `npx tsx bench/revert/revertTimes.ts --instances 20 --repeats 5`.
 */
import { parseArgs } from "node:util";
import { makeChange } from "../../runtime/local/demo/demoChanges";
import { startLocalPipeline } from "../../runtime/local";
import { median } from "../stats";

const { values } = parseArgs({
  options: { instances: { type: "string", default: "3" }, repeats: { type: "string", default: "5" } },
});
const instances = Number(values.instances);
const repeats = Number(values.repeats);

async function main(): Promise<void> {
  const started = Date.now();
  const pipeline = await startLocalPipeline({ instances });
  try {
    console.log(`${instances} instances ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const revertMs: number[] = [];
    const convergedMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const change = { purpose: "refused", key: "http/timeout_ms", values: [`fast-${i}`], expect: "rejected" as const };
      const report = await makeChange(pipeline, change, 30_000);
      const revert = report.revert;
      if (!revert?.ok || revert.revertMs === undefined || revert.convergedMs === undefined) {
        console.log(`run ${i + 1}: not reverted everywhere: ${JSON.stringify(revert)}`);
        continue;
      }
      revertMs.push(revert.revertMs);
      convergedMs.push(revert.convergedMs);
      console.log(
        `run ${i + 1}: v${report.final.version} refused by ${revert.report?.refusedBy}/${revert.report?.answered}, ` +
          `reverted ${revert.revertMs} ms after the write, on every instance ${revert.convergedMs} ms after it`,
      );
    }
    console.log(
      `| ${instances} | ${revertMs.length}/${repeats} | ${median(revertMs).toFixed(0)} | ${median(convergedMs).toFixed(0)} |` +
        ` ${Math.min(...revertMs)}–${Math.max(...revertMs)} | ${Math.min(...convergedMs)}–${Math.max(...convergedMs)} |`,
    );
  } finally {
    await pipeline.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
