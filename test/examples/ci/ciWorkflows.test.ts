import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "../../..");
const GITHUB_FILE = path.join(ROOT, "examples/ci/.github/workflows/config-refresh.yml");
const CIRCLECI_FILE = path.join(ROOT, "examples/ci/.circleci/config.yml");
const STACKS = ["beta", "staging", "production"];
/** A GitHub Actions expression as the workflow writes it: `${{ <text> }}`. */
const actionsExpression = (text: string): string => `\${{ ${text} }}`;

interface GithubStep {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface GithubJob {
  if?: string;
  needs?: string | string[];
  environment?: string;
  strategy?: { matrix: Record<string, unknown> };
  steps: GithubStep[];
}

/** Imports an npm package that may not be installed (a true dynamic import: the vendors ship ES modules). */
async function importOptional(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await (new Function("name", "return import(name)") as (n: string) => Promise<Record<string, unknown>>)(name);
  } catch (error) {
    if (
      (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" ||
      /Cannot find (module|package)/.test(String(error))
    )
      return undefined;
    throw error;
  }
}

describe("the CI examples run config-refresh check, then pulumi preview per stack, and pulumi up on merge", () => {
  describe("GitHub Actions (examples/ci/.github/workflows/config-refresh.yml)", () => {
    const text = readFileSync(GITHUB_FILE, "utf8");
    const workflow = parse(text) as {
      on: Record<string, { paths: string[]; branches?: string[] }>;
      jobs: Record<string, GithubJob>;
    };

    it("is a workflow GitHub's own parser accepts (@actions/workflow-parser)", async function () {
      const parser = await importOptional("@actions/workflow-parser");
      if (!parser) this.skip();
      const parseWorkflow = parser!.parseWorkflow as (
        file: { name: string; content: string },
        trace: unknown,
      ) => { context: { errors: { getErrors(): { message: string }[] } }; value: unknown };
      const convert = parser!.convertWorkflowTemplate as (
        context: unknown,
        value: unknown,
      ) => Promise<{ errors?: { Message: string }[]; jobs: { id: { value: string } }[] }>;
      const trace = new (parser!.NoOperationTraceWriter as new () => unknown)();
      const result = parseWorkflow({ name: "config-refresh.yml", content: text }, trace);
      assert.deepEqual(
        result.context.errors.getErrors().map((e) => e.message),
        [],
      );
      const template = await convert(result.context, result.value);
      assert.deepEqual(
        (template.errors ?? []).map((e) => e.Message),
        [],
      );
      assert.deepEqual(
        template.jobs.map((job) => job.id.value),
        ["check", "preview", ...STACKS.map((s) => `up-${s}`)],
      );
    });

    it("runs on pull requests and merges that touch app_config_*.yaml or the stack program", () => {
      for (const event of ["pull_request", "push"]) {
        assert.ok(workflow.on[event]?.paths.includes("stacks/app_config_*.yaml"), event);
        assert.ok(workflow.on[event]?.paths.includes("stacks/**.ts"), event);
      }
      assert.deepEqual(workflow.on.push?.branches, ["main"]);
    });

    it("checks every app_config file with annotations, then previews each affected stack with Pulumi's action and its PR comment", () => {
      const check = workflow.jobs.check!;
      assert.ok(check.steps.some((s) => s.run === "npx config-refresh check --format github stacks/app_config_*.yaml"));
      const preview = workflow.jobs.preview!;
      assert.equal(preview.needs, "check");
      assert.equal(preview.if, "github.event_name == 'pull_request'");
      assert.equal(preview.strategy?.matrix.stack, actionsExpression("fromJSON(needs.check.outputs.stacks)"));
      const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.deepEqual(
        [pulumi?.with?.command, pulumi?.with?.["stack-name"], pulumi?.with?.["comment-on-pr"]],
        ["preview", actionsExpression("matrix.stack"), true],
      );
    });

    it("runs pulumi up per stack on merge, in order, production in its environment (its approval)", () => {
      for (const [index, stack] of STACKS.entries()) {
        const job = workflow.jobs[`up-${stack}`]!;
        assert.match(job.if ?? "", /github\.event_name == 'push'/);
        assert.match(
          job.if ?? "",
          new RegExp(`contains\\(fromJSON\\(needs\\.check\\.outputs\\.stacks\\), '${stack}'\\)`),
        );
        assert.equal(job.environment, stack);
        assert.deepEqual(job.needs, index === 0 ? "check" : ["check", `up-${STACKS[index - 1]}`]);
        const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual([pulumi?.with?.command, pulumi?.with?.["stack-name"]], ["up", stack]);
      }
    });
  });

  describe("CircleCI (examples/ci/.circleci/config.yml)", () => {
    const text = readFileSync(CIRCLECI_FILE, "utf8");
    type Steps = (string | Record<string, Record<string, unknown> | undefined>)[];
    const config = parse(text) as {
      version: number;
      orbs: Record<string, string>;
      jobs: Record<string, { parameters?: Record<string, unknown>; steps: Steps }>;
      workflows: Record<string, { jobs: Record<string, Record<string, unknown>>[] }>;
    };

    it("is a config CircleCI's own parser accepts (@circleci/circleci-config-parser)", async function () {
      const parser = await importOptional("@circleci/circleci-config-parser");
      if (!parser) this.skip();
      const module = (parser!.default ?? parser) as {
        parsers: {
          parseConfig(config: unknown, orbs?: unknown): { jobs: { name: string }[]; workflows: { name: string }[] };
        };
        parseOrbManifest(manifest: unknown): unknown;
      };
      const orbs = {
        "pulumi/pulumi": module.parseOrbManifest({
          jobs: {},
          executors: {},
          commands: { login: {}, preview: { stack: { type: "string" } }, update: { stack: { type: "string" } } },
        }),
        "circleci/aws-cli": module.parseOrbManifest({
          jobs: {},
          executors: {},
          commands: { setup: { role_arn: { type: "string" }, region: { type: "string" } } },
        }),
      };
      const parsed = module.parsers.parseConfig(text, orbs);
      assert.deepEqual(parsed.jobs.map((job) => job.name).sort(), ["check", "preview", "up"]);
      assert.deepEqual(parsed.workflows.map((workflow) => workflow.name).sort(), ["deploy", "pull-request"]);
    });

    it("checks every app_config file, then previews every stack on a pull request", () => {
      assert.equal(config.version, 2.1);
      assert.ok(
        config.jobs.check!.steps.some(
          (s) => typeof s === "object" && s.run?.command === "npx config-refresh check stacks/app_config_*.yaml",
        ),
      );
      assert.ok(
        config.jobs.preview!.steps.some(
          (s) => typeof s === "object" && s["pulumi/preview"]?.stack === "<< parameters.stack >>",
        ),
      );
      const jobs = config.workflows["pull-request"]!.jobs;
      const preview = jobs.find((j) => j.preview)?.preview as {
        requires: string[];
        matrix: { parameters: { stack: string[] } };
      };
      assert.deepEqual(preview.requires, ["check"]);
      assert.deepEqual(preview.matrix.parameters.stack, STACKS);
    });

    it("runs pulumi up per stack on merge to main, production only after an approval", () => {
      assert.ok(
        config.jobs.up!.steps.some(
          (s) => typeof s === "object" && s["pulumi/update"]?.stack === "<< parameters.stack >>",
        ),
      );
      const jobs = config.workflows.deploy!.jobs;
      const ups = jobs.filter((j) => j.up).map((j) => j.up as { stack: string; requires: string[]; filters: unknown });
      assert.deepEqual(
        ups.map((u) => [u.stack, u.requires]),
        [
          ["beta", ["check"]],
          ["staging", ["up-beta"]],
          ["production", ["approve-production"]],
        ],
      );
      for (const up of ups) assert.deepEqual(up.filters, { branches: { only: "main" } });
      const approval = jobs.find((j) => j["approve-production"])?.["approve-production"] as {
        type: string;
        requires: string[];
      };
      assert.deepEqual([approval.type, approval.requires], ["approval", ["up-staging"]]);
    });
  });
});
