import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig, parseOrbManifest } from "@circleci/circleci-config-parser";
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

/**
 * Imports GitHub's workflow parser, an ES module that imports its JSON schema without an import
 * attribute (its own build targets bundlers): tsx's ESM loader, registered for this one import, loads it.
 */
async function importWorkflowParser(): Promise<
  typeof import("@actions/workflow-parser", { with: { "resolution-mode": "import" }})
> {
  // A true dynamic import (tsx/cjs would turn `import()` into `require`): both packages ship ES modules.
  const importModule = new Function("name", "return import(name)") as (name: string) => Promise<never>;
  const { register } = (await importModule("tsx/esm/api")) as typeof import("tsx/esm/api");
  const unregister = register();
  try {
    return await importModule("@actions/workflow-parser");
  } finally {
    await unregister();
  }
}

describe("the CI examples run config-refresh check, then pulumi preview per stack, and pulumi up on merge", () => {
  describe("GitHub Actions (examples/ci/.github/workflows/config-refresh.yml)", () => {
    const text = readFileSync(GITHUB_FILE, "utf8");
    const workflow = parse(text) as {
      on: Record<string, { paths: string[]; branches?: string[] }>;
      jobs: Record<string, GithubJob>;
    };

    it("is a workflow GitHub's own parser accepts (@actions/workflow-parser), with the jobs the checks below read", async () => {
      const parser = await importWorkflowParser();
      const result = parser.parseWorkflow(
        { name: "config-refresh.yml", content: text },
        new parser.NoOperationTraceWriter(),
      );
      assert.deepEqual(
        result.context.errors.getErrors().map((e) => e.message),
        [],
      );
      assert.ok(result.value, "the parser returned no workflow");
      const template = await parser.convertWorkflowTemplate(result.context, result.value);
      assert.deepEqual(
        (template.errors ?? []).map((e) => e.Message),
        [],
      );
      assert.deepEqual(
        template.jobs.map((job) => job.id.value),
        ["check", "preview", ...STACKS.map((s) => `up-${s}`)],
      );
    });

    it("is refused by the same parser when a job is broken (the check above can fail)", async () => {
      const parser = await importWorkflowParser();
      const broken = text.replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest");
      assert.notEqual(broken, text);
      const result = parser.parseWorkflow({ name: "broken.yml", content: broken }, new parser.NoOperationTraceWriter());
      assert.ok(result.context.errors.getErrors().length > 0);
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

    /** The orbs' commands and their parameters, as the orbs' registry pages list them (the parser reads no registry). */
    const orbManifests = {
      pulumi: parseOrbManifest({
        jobs: {},
        executors: {},
        commands: { login: {}, preview: { stack: { type: "string" } }, update: { stack: { type: "string" } } },
      }),
      "aws-cli": parseOrbManifest({
        jobs: {},
        executors: {},
        commands: { setup: { role_arn: { type: "string" }, region: { type: "string" } } },
      }),
    };
    /** Each job's steps as the parser read them: the step's name (a command, an orb's command or `run`) and its parameters. */
    const parsedSteps = (source: string): Record<string, [string, unknown][]> => {
      const parsed = parseConfig(source, orbManifests);
      return Object.fromEntries(
        parsed.jobs.map((job) => [
          job.name,
          job.steps.map((step) => [step.name, step.parameters] as [string, unknown]),
        ]),
      );
    };

    it("is a config CircleCI's own parser accepts (@circleci/circleci-config-parser), with check, preview and up", () => {
      const parsed = parseConfig(text, orbManifests);
      assert.deepEqual(parsed.jobs.map((job) => job.name).sort(), ["check", "preview", "up"]);
      assert.deepEqual(parsed.workflows.map((workflow) => workflow.name).sort(), ["deploy", "pull-request"]);
      const steps = parsedSteps(text);
      assert.deepEqual(steps.check?.at(-1), [
        "run",
        { name: "config-refresh check", command: "npx config-refresh check stacks/app_config_*.yaml" },
      ]);
      assert.deepEqual(steps.preview?.at(-1), ["pulumi/preview", { stack: "<< parameters.stack >>" }]);
      assert.deepEqual(steps.up?.at(-1), ["pulumi/update", { stack: "<< parameters.stack >>" }]);
    });

    it("is refused by the same parser when a step names a command no orb has (the check above can fail)", () => {
      assert.throws(() => parsedSteps(text.replace("pulumi/preview:", "pulumi/previews:")), /pulumi\/previews/);
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
