import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { AWS_NAME_RULES } from "../../../components/pipeline/awsNameRules";
import { REPO_ROOT, ofType, runProgram, single, stackConfig, type ProgramRun } from "../../support/pulumi/runProgram";
import {
  CREATED_VPC_CONFIG,
  servicesSubnetIds,
  servicesVpcConfig,
  servicesVpcId,
} from "../../support/pulumi/stackNetworks";
import { inventory, partOf } from "./resourceGraph";

const NS = "config-refresh-pipeline";
const PIPELINE = `${NS}:index:ConfigRefreshPipeline`;
const NETWORK = `${NS}:network:PipelineNetwork`;
const REDIS = `${NS}:redisStream:RedisStream`;
const REGISTRY = `${NS}:serviceRegistry:ServiceRegistry`;
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const STACKS = ["beta", "staging", "production"] as const;
type Stack = (typeof STACKS)[number];
/** Which stacks protect their stateful resources, stated independently of the yaml. */
const PROTECTED: Record<Stack, boolean> = { beta: false, staging: false, production: true };

/** AWS resource types the component declares with an explicit name (checked elsewhere) or none at all. */
const NOT_AUTO_NAMED = new Set([
  "aws:ssm/parameter:Parameter",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:servicediscovery/httpNamespace:HttpNamespace",
  "aws:servicediscovery/service:Service",
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  // Named explicitly (`<name>-redis-<role>`, lowercase): shorter than the replication group's auto-name, same characters.
  "aws:elasticache/user:User",
  "aws:elasticache/userGroup:UserGroup",
]);

const requiredSecrets = (stack: string): Record<string, string> => ({
  [`/shop/${stack}/database/password`]: "SecureString",
  [`/shop/${stack}/payments/api_key`]: "SecureString",
});

/** Runs `jobs` at most `width` at a time (the machine has two cores, each run is a process). */
async function inBatches(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
}

describe("the stack program on a real account's terms", function () {
  this.timeout(180_000);
  const services = {} as Record<Stack, ProgramRun>;
  const created = {} as Record<Stack, ProgramRun>;
  let placeholders: ProgramRun;
  let underscoreApp: ProgramRun;
  let longName: ProgramRun;

  before(async () => {
    await inBatches(
      [
        ...STACKS.map((stack) => async () => {
          services[stack] = await runProgram({
            stack,
            configOverrides: servicesVpcConfig(stack),
            account: { parameters: requiredSecrets(stack) },
          });
        }),
        // Only the inventory of the created path is compared here; stacks.test.ts runs it in full.
        ...STACKS.map((stack) => async () => {
          created[stack] = await runProgram({
            stack,
            configOverrides: CREATED_VPC_CONFIG,
            account: { parameters: requiredSecrets(stack) },
          });
        }),
        async () => {
          placeholders = await runProgram({ stack: "beta", account: { parameters: requiredSecrets("beta") } });
        },
        async () => {
          underscoreApp = await runProgram({
            stack: "beta",
            configOverrides: { ...servicesVpcConfig("beta"), [`${NS}:app`]: "my_shop" },
          });
        },
        async () => {
          // env is the stack name: a long one, as a review environment might be called.
          longName = await runProgram({
            stack: "integration-preview",
            config: { ...stackConfig("beta"), ...servicesVpcConfig("beta"), [`${NS}:app`]: "storefront-checkout" },
          });
        },
      ],
      3,
    );
  });

  for (const stack of STACKS) {
    describe(`the ${stack} stack in the services' VPC (the real-account path)`, () => {
      const run = (): ProgramRun => services[stack];

      it("declares everything without an error and creates no VPC of its own", () => {
        assert.deepEqual(run().errors, []);
        assert.equal(ofType(run(), "awsx:ec2:Vpc").length, 0);
        assert.deepEqual(inventory(run(), NETWORK), []);
      });

      it("runs the function and the stream host in the given subnets, and every security group in the given VPC", () => {
        const subnets = servicesSubnetIds(stack);
        assert.deepEqual(
          (single(run(), "aws:lambda/function:Function").inputs.vpcConfig as { subnetIds: string[] }).subnetIds,
          subnets,
        );
        assert.deepEqual(single(run(), "aws:elasticache/subnetGroup:SubnetGroup").inputs.subnetIds, subnets);
        const groups = ofType(run(), "aws:ec2/securityGroup:SecurityGroup");
        assert.equal(groups.length, 3);
        for (const group of groups) assert.equal(group.inputs.vpcId, servicesVpcId(stack), group.name);
      });

      it("exports the given VPC and subnets, so the services' tasks can attach the service security group", () => {
        assert.equal(run().outputs.vpcId, servicesVpcId(stack));
        assert.deepEqual(run().outputs.privateSubnetIds, servicesSubnetIds(stack));
        assert.ok(run().outputs.serviceSecurityGroupId);
      });

      it("declares the same resources as the created-VPC path, less the VPC", () => {
        const types = (r: ProgramRun): string[] =>
          r.resources
            .filter((d) => d.type !== "awsx:ec2:Vpc")
            .map((d) => `${d.type} ${d.name}`)
            .sort();
        assert.deepEqual(types(run()), types(created[stack]));
      });

      it("registers instances in a Cloud Map service whose custom health check the provider creates: failureThreshold 1", () => {
        assert.deepEqual(
          partOf(run(), REGISTRY, "aws:servicediscovery/service:Service").inputs.healthCheckCustomConfig,
          { failureThreshold: 1 },
        );
      });

      it(`${PROTECTED[stack] ? "protects" : "does not protect"} the replication group and the Cloud Map namespace and service`, () => {
        const stateful = [
          partOf(run(), REDIS, REPLICATION_GROUP),
          partOf(run(), REGISTRY, "aws:servicediscovery/httpNamespace:HttpNamespace"),
          partOf(run(), REGISTRY, "aws:servicediscovery/service:Service"),
        ];
        assert.deepEqual(
          stateful.map((r) => r.protect),
          stateful.map(() => PROTECTED[stack]),
        );
        assert.deepEqual(
          run()
            .resources.filter((r) => r.protect && !stateful.includes(r))
            .map((r) => r.type),
          [],
        );
      });
    });
  }

  describe("the committed stack files", () => {
    it("fail the preview until the services' VPC is set, naming both settings and the way to try it without one", () => {
      const errors = placeholders.errors.join("\n");
      assert.match(
        errors,
        /Pulumi\.beta\.yaml: set config-refresh-pipeline:vpcId and config-refresh-pipeline:subnetIds to the VPC your services run in/,
      );
      assert.match(errors, /pulumi config set config-refresh-pipeline:network created-vpc/);
      assert.equal(ofType(placeholders, PIPELINE).length, 0, "nothing is declared on placeholder ids");
    });

    it("mark every placeholder for the person to replace, and choose the services' VPC", () => {
      for (const stack of STACKS) {
        const config = stackConfig(stack);
        assert.equal(config[`${NS}:network`], "services-vpc", stack);
        assert.match(config[`${NS}:vpcId`]!, /REPLACE/, stack);
        const subnets = JSON.parse(config[`${NS}:subnetIds`]!) as string[];
        assert.ok(subnets.length >= 2 && subnets.every((id) => id.includes("REPLACE")), stack);
      }
      assert.equal(
        JSON.parse(stackConfig("production")[`${NS}:subnetIds`]!).length,
        3,
        "production spreads over three zones",
      );
    });

    it("protect production's stateful resources, and only production's", () => {
      for (const stack of STACKS)
        assert.equal(stackConfig(stack)[`${NS}:protectStatefulResources`] === "true", PROTECTED[stack], stack);
    });

    it("refresh before every preview and update, as another team's example program does (Pulumi.yaml options.refresh: always)", () => {
      for (const dir of [REPO_ROOT, path.join(REPO_ROOT, "examples", "other-team-program")]) {
        const project = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
          options?: { refresh?: string };
        };
        assert.equal(project.options?.refresh, "always", dir);
      }
    });
  });

  describe("names AWS refuses", () => {
    it("fails the preview of app my_shop naming the replication group, the characters AWS allows and the name", () => {
      const errors = underscoreApp.errors.join("\n");
      assert.match(
        errors,
        /ElastiCache replication group id "my_shop-beta-redis-" \+ 7 random characters: AWS allows only lowercase letters, digits and hyphens/,
      );
      assert.match(errors, /rename the component \("my_shop-beta"\)/);
      assert.equal(ofType(underscoreApp, REPLICATION_GROUP).length, 0, "the check runs before anything is declared");
    });

    it("fails the preview of an app and env too long for the replication group, naming the limit and the name", () => {
      const errors = longName.errors.join("\n");
      assert.match(
        errors,
        /ElastiCache replication group id "storefront-checkout-integration-preview-redis-" \+ 7 random characters is 53 characters, over AWS's limit of 40/,
      );
      assert.match(errors, /shorten the component's name "storefront-checkout-integration-preview" by 13/);
      assert.equal(ofType(longName, REPLICATION_GROUP).length, 0);
    });

    it("holds a rule for every resource the component auto-names, under the logical names the rule expects", () => {
      const run = services.beta;
      const name = single(run, PIPELINE).name;
      const ruled = new Map(AWS_NAME_RULES.map((rule) => [rule.type, rule]));
      const declared = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
      for (const resource of declared) {
        if (NOT_AUTO_NAMED.has(resource.type)) continue;
        const rule = ruled.get(resource.type);
        assert.ok(rule, `${resource.type} (${resource.name}) is auto-named but has no rule in AWS_NAME_RULES`);
        assert.ok(
          rule.suffixes.map((s) => `${name}${s}`).includes(resource.name),
          `${resource.type} is named ${resource.name}, the rule expects ${rule.suffixes.map((s) => name + s).join(" or ")}`,
        );
      }
      for (const rule of AWS_NAME_RULES)
        assert.ok(
          declared.some((r) => r.type === rule.type),
          `no ${rule.type} is declared: the rule is stale`,
        );
    });
  });
});
