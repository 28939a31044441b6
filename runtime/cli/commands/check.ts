import { parseArgs } from "node:util";
import {
  AppConfigError,
  compareEnvironments,
  formatProblem,
  loadAppConfig,
  type AppConfig,
} from "../../../components/appConfig";
import { appOfStack, envInAppConfigFileName } from "../../operator/pipeline/stackSettings";
import { githubAnnotation } from "../format/githubAnnotation";
import type { CommandResult, Output } from "../output";

/** Help of `config-refresh check`. */
export const CHECK_HELP = `Usage: config-refresh check [--app NAME] [--format plain|github] FILE...

The offline pull-request check of app_config_<env>.yaml files: validates every file (YAML,
duplicate keys, SSM name and size rules, secrets that must not be there) and reports drift
between environments (a key present in one file and missing in another). No AWS access.

Options:
  --app NAME   the application segment of the prefix /<app>/<env>/ (default: the "app" setting
               of the Pulumi.<env>.yaml beside the file or up to 4 folders above it; without one,
               only the names relative to the prefix are checked)
  --format F   plain (default): file:line:column key: message, one problem a line; github: each
               problem as a GitHub Actions annotation (::error file=...,line=...,col=...::...), so
               the pull request's diff marks the key on its line; drift is marked on the key's line
               in each file that declares it
  -h, --help   this help

Exit codes: 0 all files valid and no drift, 1 problems or drift found, 2 usage error.`;

/** Output formats of `check`. */
const CHECK_FORMATS = ["plain", "github"] as const;

/** `config-refresh check FILE...`: validates files and reports drift; exit 0/1. */
export function runCheck(argv: string[], out: Output): CommandResult {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { app: { type: "string" }, format: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out.print(CHECK_HELP);
    return 0;
  }
  const format = values.format ?? "plain";
  if (!(CHECK_FORMATS as readonly string[]).includes(format)) {
    out.error(`--format must be plain or github, got "${format}"\n\n${CHECK_HELP}`);
    return 2;
  }
  const github = format === "github";
  if (positionals.length === 0) {
    out.error(`no file given\n\n${CHECK_HELP}`);
    return 2;
  }

  const configs: Record<string, AppConfig> = {};
  let failed = 0;
  for (const file of positionals) {
    const env = envInAppConfigFileName(file);
    if (!env) {
      const message = "the name must be app_config_<env>.yaml (the environment comes from it)";
      if (github) out.print(githubAnnotation("error", message, { file, title: "config-refresh check" }));
      out.error(`${file}: ${message}`);
      failed++;
      continue;
    }
    const app = values.app ?? appOfStack(env, file);
    try {
      const config = loadAppConfig(file, app ? { prefix: `/${app}/${env}/` } : {});
      configs[env] = config;
      out.print(
        `ok    ${file}: ${config.entries.length} parameters, ` +
          `${config.requiredSecrets.length} required secrets${app ? ` under /${app}/${env}/` : ""}`,
      );
    } catch (error) {
      if (!(error instanceof AppConfigError)) throw error;
      failed++;
      out.print(`FAIL  ${file}: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}`);
      for (const problem of error.problems) {
        out.print(
          github
            ? githubAnnotation("error", problem.key ? `${problem.key}: ${problem.message}` : problem.message, {
                file: problem.file,
                line: problem.line,
                col: problem.column,
                title: "config-refresh check",
              })
            : `      ${formatProblem(problem)}`,
        );
      }
    }
  }
  const drift = Object.keys(configs).length > 1 ? compareEnvironments(configs) : [];
  if (drift.length > 0) {
    out.print(`\nDRIFT ${drift.length} key${drift.length === 1 ? "" : "s"} differ between environments:`);
    for (const d of drift) {
      const where =
        d.missingFrom.length > 0 ? `in ${d.presentIn.join(", ")}, missing from ${d.missingFrom.join(", ")}` : "";
      const types = d.types
        ? `types differ (${Object.entries(d.types)
            .map(([env, type]) => `${env}: ${type}`)
            .join(", ")})`
        : "";
      const text = `${d.key}: ${[where, types].filter(Boolean).join("; ")}`;
      out.print(`      ${text}`);
      if (github) for (const annotation of driftAnnotations(d.key, text, configs)) out.print(annotation);
    }
  }
  const verdict = failed === 0 && drift.length === 0;
  out.print(
    `\n${verdict ? "PASS" : "FAIL"}: ${positionals.length} file${positionals.length === 1 ? "" : "s"}, ` +
      `${failed} invalid, ${drift.length} drifting key${drift.length === 1 ? "" : "s"}`,
  );
  return verdict ? 0 : 1;
}

/** One annotation per file that declares a drifting key, on the key's line (a missing key has no line). */
function driftAnnotations(key: string, text: string, configs: Record<string, AppConfig>): string[] {
  return Object.values(configs).flatMap((config) => {
    const position =
      config.entries.find((e) => e.key === key)?.position ??
      config.requiredSecrets.find((s) => s.key === key)?.position;
    if (!position) return [];
    const place = {
      file: config.file,
      line: position.line,
      col: position.column,
      title: "config-refresh check: drift",
    };
    return [githubAnnotation("error", text, place)];
  });
}
