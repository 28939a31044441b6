/**
 * Bundles the refresh handler (`runtime/lambda/index.ts`) with esbuild at program time, so one
 * `pulumi up` deploys code and infrastructure. No Pulumi import: tests call it directly.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** File name of the bundle inside the Lambda archive; the handler is `index.handler`. */
export const HANDLER_FILE = "index.js";
/** The Lambda `handler` setting. */
export const HANDLER = "index.handler";
/** The protocol loads `path.join(__dirname, "refresh.proto")`, so the proto sits beside the bundle. */
export const PROTO_FILE = "refresh.proto";

/** Where the handler's sources are. */
export interface RefreshHandlerSources {
  /** `runtime/lambda/index.ts` in a checkout, `dist/runtime/lambda/index.js` in the published package. */
  entry: string;
  /** `refresh.proto` of the protocol. */
  proto: string;
  /** The folder above `runtime/`: esbuild resolves from it and writes paths relative to it. */
  workingDir: string;
}

/** What goes into the Lambda archive. */
export interface RefreshHandlerBundle {
  /** The handler bundled into one CommonJS file. */
  code: string;
  /** The text of `refresh.proto`. */
  proto: string;
  /** The entry that was bundled. */
  entry: string;
  /** esbuild's warnings, formatted. */
  warnings: string[];
}

/** Options of {@link bundleRefreshHandler}. */
export interface BundleOptions {
  /** Node.js major version the bundle targets (the function's runtime). Default 22. */
  nodeMajor?: number;
  /** The `runtime/` folder to bundle from. Default: the one beside this package's `components/`. */
  runtimeDir?: string;
}

/**
 * `components/refreshFunction/` sits two levels below the folder holding `runtime/`: the repository
 * root in a checkout, `dist/` in the published package.
 */
export const DEFAULT_RUNTIME_DIR = path.resolve(__dirname, "../../runtime");

/** Finds the handler entry and the proto, from source (tsx) or from the published layout. */
export function locateRefreshHandler(runtimeDir: string = DEFAULT_RUNTIME_DIR): RefreshHandlerSources {
  const candidates = [path.join(runtimeDir, "lambda", "index.ts"), path.join(runtimeDir, "lambda", "index.js")];
  const entry = candidates.find((file) => existsSync(file));
  if (entry === undefined) {
    throw new Error(
      `cannot bundle the refresh function: its handler is missing (looked for ${candidates.join(" and ")}); ` +
        "in a checkout run `npm run build` if only dist/ is used",
    );
  }
  const proto = path.join(runtimeDir, "protocol", PROTO_FILE);
  if (!existsSync(proto))
    throw new Error(`cannot bundle the refresh function: ${proto} is missing (the handler loads it at run time)`);
  return { entry, proto, workingDir: path.dirname(runtimeDir) };
}

/**
 * Bundles the handler into one CommonJS file for Lambda: platform node, every dependency inside
 * (the AWS SDK too, see below), deterministic (no absolute paths, no timestamps), so an unchanged
 * handler gives the same archive and no diff on preview.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the runtime's copy changes under the
 * function whenever AWS updates it, while the bundle runs the versions the lock file pins and the
 * tests ran against (AWS's own advice for production functions). It costs about a megabyte.
 *
 * @example
 * ```ts
 * const bundle = bundleRefreshHandler({ nodeMajor: 22 });
 * new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code), ... });
 * ```
 */
export function bundleRefreshHandler(options: BundleOptions = {}): RefreshHandlerBundle {
  const sources = locateRefreshHandler(options.runtimeDir);
  const esbuild = loadEsbuild();
  let result: import("esbuild").BuildResult<{ write: false }>;
  try {
    result = esbuild.buildSync({
      entryPoints: [sources.entry],
      absWorkingDir: sources.workingDir,
      // Not written (write: false); it only anchors the relative paths in the output.
      outfile: path.join(sources.workingDir, HANDLER_FILE),
      write: false,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: `node${options.nodeMajor ?? 22}`,
      sourcemap: false,
      legalComments: "none",
      charset: "utf8",
      logLevel: "silent",
    });
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { file: string; line: number } | null }[] };
    const details = failure.errors
      ?.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`)
      .join("\n");
    throw new Error(`bundling the refresh function from ${sources.entry} failed:\n${details ?? String(error)}`);
  }
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new Error(`bundling the refresh function from ${sources.entry} produced no output`);
  return {
    code: output.text,
    proto: readFileSync(sources.proto, "utf8"),
    entry: sources.entry,
    warnings: result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ""}${w.text}`),
  };
}

/** esbuild is an optional peer dependency: only a program that deploys the function needs it. */
function loadEsbuild(): typeof import("esbuild") {
  try {
    return require("esbuild") as typeof import("esbuild");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      "the refresh function is bundled with esbuild at program time: " +
        "add it to your Pulumi program (npm install --save-dev esbuild)",
    );
  }
}
