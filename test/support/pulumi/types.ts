import type { MockAccount } from "./mockCloud";

/** What the parent test passes to the child process. */
export interface HarnessInput {
  /** Absolute path of the program's entry module. */
  program: string;
  project: string;
  stack: string;
  preview: boolean;
  account: MockAccount;
}

/** One resource the program registered, with the options the engine would see. */
export interface DeclaredResource {
  type: string;
  name: string;
  urn?: string;
  id?: string;
  parentUrn?: string;
  custom: boolean;
  remote: boolean;
  /** Inputs with secrets unwrapped; `secretInputs` says which were secret. */
  inputs: Record<string, unknown>;
  /** The state the mock answered (inputs plus computed outputs). */
  state?: Record<string, unknown>;
  secretInputs: string[];
  ignoreChanges: string[];
  retainOnDelete: boolean;
  importId?: string;
  protect: boolean;
  dependencies: string[];
}

/** Everything one run of a program declared. */
export interface ProgramRun {
  resources: DeclaredResource[];
  invokes: { token: string; inputs: Record<string, unknown> }[];
  /** Stack outputs (the program's exports), resolved. */
  outputs: Record<string, unknown>;
  /** Names of the stack outputs that are secret. */
  secretOutputs: string[];
  /** Component outputs by URN: their keys and which are secret. */
  componentOutputs: Record<string, { keys: string[]; secretPaths: string[] }>;
  /** Errors the program raised (failed previews). */
  errors: string[];
  /** Time from loading the program to the last registration settling, ms (the program's own cost, without process start). */
  programMs?: number;
  /** What the program printed on stderr, where `pulumi.log.warn` goes under mocks. */
  stderr?: string;
  /** What the program printed on stdout, where `pulumi.log.info` goes under mocks. */
  stdout?: string;
}
