/** `npm run demo`: the scenario, its options and its report, reusable in tests. */
export { runDemo, type DemoIo, type DemoReport } from "./runDemo";
export { parseDemoArgs, DEMO_HELP, MAX_DEMO_INSTANCES, type DemoOptions } from "./demoOptions";
export { demoChanges, makeChange, type PlannedChange, type ChangeReport, type InstanceChangeOutcome } from "./demoChanges";
export { changeLines, convergenceLines } from "./demoReport";
