import { parseArgs } from "node:util";
import { AppConfigError, compareEnvironments, formatProblem, loadAppConfig, type AppConfig } from "../../../components/appConfig";
import { appOfStack, envInAppConfigFileName } from "../../operator/pipeline/stackSettings";
import type { CommandResult, Output } from "../output";

/** Help of `config-refresh check`. */
export const CHECK_HELP = `Usage: config-refresh check [--app NAME] FILE...

The offline pull-request check of app_config_<env>.yaml files: validates every file (YAML,
duplicate keys, SSM name and size rules, secrets that must not be there) and reports drift
between environments (a key present in one file and missing in another). No AWS access.

Options:
  --app NAME   the application segment of the prefix /<app>/<env>/ (default: the "app" setting
               of the Pulumi.<env>.yaml beside the file or up to 4 folders above it; without one,
               only the names relative to the prefix are checked)
  -h, --help   this help

Exit codes: 0 all files valid and no drift, 1 problems or drift found, 2 usage error.`;


/** `config-refresh check FILE...`: validates files and reports drift; exit 0/1. */
export function runCheck(argv: string[], out: Output): CommandResult {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { app: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return out.print(CHECK_HELP), 0;
  if (positionals.length === 0) return out.error(`no file given\n\n${CHECK_HELP}`), 2;

  const configs: Record<string, AppConfig> = {};
  let failed = 0;
  for (const file of positionals) {
    const env = envInAppConfigFileName(file);
    if (!env) {
      out.error(`${file}: the name must be app_config_<env>.yaml (the environment comes from it)`);
      failed++;
      continue;
    }
    const app = values.app ?? appOfStack(env, file);
    try {
      const config = loadAppConfig(file, app ? { prefix: `/${app}/${env}/` } : {});
      configs[env] = config;
      out.print(`ok    ${file}: ${config.entries.length} parameters, ${config.requiredSecrets.length} required secrets${app ? ` under /${app}/${env}/` : ""}`);
    } catch (error) {
      if (!(error instanceof AppConfigError)) throw error;
      failed++;
      out.print(`FAIL  ${file}: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}`);
      for (const problem of error.problems) out.print(`      ${formatProblem(problem)}`);
    }
  }
  const drift = Object.keys(configs).length > 1 ? compareEnvironments(configs) : [];
  if (drift.length > 0) {
    out.print(`\nDRIFT ${drift.length} key${drift.length === 1 ? "" : "s"} differ between environments:`);
    for (const d of drift) {
      const where = d.missingFrom.length > 0 ? `in ${d.presentIn.join(", ")}, missing from ${d.missingFrom.join(", ")}` : "";
      const types = d.types ? `types differ (${Object.entries(d.types).map(([env, type]) => `${env}: ${type}`).join(", ")})` : "";
      out.print(`      ${d.key}: ${[where, types].filter(Boolean).join("; ")}`);
    }
  }
  const verdict = failed === 0 && drift.length === 0;
  out.print(`\n${verdict ? "PASS" : "FAIL"}: ${positionals.length} file${positionals.length === 1 ? "" : "s"}, ${failed} invalid, ${drift.length} drifting key${drift.length === 1 ? "" : "s"}`);
  return verdict ? 0 : 1;
}
