export { Reloader, type ReloaderOptions, type ReloadOutcome, type ReloadSummary } from "./reloader";
