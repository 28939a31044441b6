/**
 * Child-process entry: runs one Pulumi program under `pulumi.runtime.setMocks` and writes what it
 * declared (resources, their options, invokes, outputs, errors) as JSON to `$CRP_HARNESS_OUT`.
 *
 * Mocks, config and the stack name are per process, so each stack runs in its own process, with
 * its config passed through `PULUMI_CONFIG` as the engine passes it. Resource options are not
 * visible to the mocks' `newResource`; they are read by wrapping the monitor's `registerResource`.
 */
import { writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { mockInvoke, mockResource, type MockAccount } from "./mockCloud";
import type { DeclaredResource, HarnessInput, ProgramRun } from "./types";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const input = JSON.parse(process.env.CRP_HARNESS ?? "{}") as HarnessInput;
const account: MockAccount = input.account;
const run: ProgramRun = {
  resources: [],
  invokes: [],
  outputs: {},
  secretOutputs: [],
  componentOutputs: {},
  errors: [],
};
const byUrn = new Map<string, DeclaredResource>();

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
process.on("unhandledRejection", (error) => run.errors.push(describe(error)));
process.on("uncaughtException", (error) => run.errors.push(describe(error)));

/** Paths (`a.b[0]`) of the secret values inside a serialized property struct. */
function secretPaths(value: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      secretPaths(v, `${path}[${i}]`, found);
    });
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") found.push(path);
    else for (const [k, v] of Object.entries(record)) secretPaths(v, path ? `${path}.${k}` : k, found);
  }
  return found;
}

/** The plain value of a serialized struct: secrets unwrapped, resource references as their URN. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const sig = record[SECRET_SIG];
  if (sig === "1b47061264138c4ac30d75fd1eb44270") return unwrap(record.value);
  if (sig === "5cf8f73096256a8f31e491e813e4eb8e") return record.urn;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
}

/** Resolves an output without going through `apply` (which preview would skip for unknowns). */
async function settle(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  const output = pulumi.output(value) as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
  return { value: await output.promise(), secret: await output.isSecret };
}

async function main(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => mockResource(args, account),
      call: (args) => {
        run.invokes.push({ token: args.token, inputs: args.inputs });
        return mockInvoke(args, account);
      },
    },
    input.project,
    input.stack,
    input.preview,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, (req: any, cb: any) => unknown>;
  const register = monitor.registerResource!.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const object = req.getObject()?.toJavaScript() ?? {};
    const declared: DeclaredResource = {
      type: req.getType(),
      name: req.getName(),
      parentUrn: req.getParent() || undefined,
      custom: req.getCustom(),
      remote: req.getRemote(),
      inputs: unwrap(object) as Record<string, unknown>,
      ignoreChanges: req.getIgnorechangesList(),
      retainOnDelete: req.getRetainondelete() === true,
      importId: req.getImportid() || undefined,
      protect: req.getProtect() === true,
      dependencies: req.getDependenciesList(),
      secretInputs: secretPaths(object, "", []),
    };
    run.resources.push(declared);
    return register(req, (error: unknown, response: any) => {
      if (response) {
        declared.urn = response.getUrn();
        declared.id = response.getId() || undefined;
        byUrn.set(declared.urn!, declared);
      }
      callback(error, response);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs!.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: any) => {
    const outputs = req.getOutputs()?.toJavaScript() ?? {};
    run.componentOutputs[req.getUrn()] = { secretPaths: secretPaths(outputs, "", []), keys: Object.keys(outputs) };
    return registerOutputs(req, callback);
  };
  programStarted = performance.now();
  let program: unknown = require(input.program);
  if (typeof program === "function") program = await (program as () => unknown)();
  else if (program && typeof program === "object" && typeof (program as { default?: unknown }).default === "function") {
    program = await (program as { default: () => unknown }).default();
  }
  for (const [key, value] of Object.entries((program ?? {}) as Record<string, unknown>)) {
    try {
      const settled = await settle(value);
      run.outputs[key] = settled.value;
      if (settled.secret) run.secretOutputs.push(key);
    } catch (error) {
      run.errors.push(`output ${key}: ${describe(error)}`);
    }
  }
}

let programStarted = 0;
let written = false;
function finish(): void {
  if (written) return;
  written = true;
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources?: Map<string, { state: any }> };
  for (const [urn, registered] of monitor.resources ?? []) {
    const declared = byUrn.get(urn);
    // Component outputs are kept as a protobuf Struct, custom resources' state as plain JSON.
    const state =
      typeof registered.state?.toJavaScript === "function" ? registered.state.toJavaScript() : registered.state;
    if (declared) declared.state = unwrap(state) as Record<string, unknown>;
  }
  run.programMs = performance.now() - programStarted;
  writeFileSync(process.env.CRP_HARNESS_OUT!, JSON.stringify(run));
}

main().catch((error) => run.errors.push(describe(error)));
process.on("beforeExit", () => {
  finish();
});
