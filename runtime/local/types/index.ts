export type { LocalPipelineOptions, ProgressEvent } from "./options";
export type { LocalPipeline, PipelineProcess } from "./pipeline";
