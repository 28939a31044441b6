import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { LAMBDA_ENVIRONMENT, readLambdaSettings } from "../../../runtime/lambda/environment";
import {
  projectName,
  REPO_ROOT,
  runProgram,
  single,
  ofType,
  stackConfig,
  type ProgramRun,
} from "../../support/pulumi/runProgram";
import { partOf, stateOf } from "./resourceGraph";

const EXAMPLE = path.join(REPO_ROOT, "examples", "other-team-program");
const NS = "config-refresh-pipeline";

interface Statement {
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

describe("another team's program that imports the package by name", function () {
  this.timeout(120_000);
  let run: ProgramRun;

  before(async () => {
    assert.ok(
      existsSync(path.join(REPO_ROOT, "dist", "components", "index.js")),
      "dist/ is not built: run `npm run build` first (npm test does)",
    );
    run = await runProgram({
      program: path.join(EXAMPLE, "index.ts"),
      project: projectName(EXAMPLE),
      stack: "qa",
      config: stackConfig("qa", EXAMPLE),
    });
  });

  describe("how it gets the component", () => {
    it("imports config-refresh-pipeline, which resolves to the published entry point in dist/", () => {
      assert.match(readFileSync(path.join(EXAMPLE, "index.ts"), "utf8"), /from "config-refresh-pipeline"/);
      assert.equal(require.resolve("config-refresh-pipeline"), path.join(REPO_ROOT, "dist", "components", "index.js"));
    });

    it("declares the pipeline under the package's type token, without an error", () => {
      assert.deepEqual(run.errors, []);
      assert.equal(single(run, `${NS}:index:ConfigRefreshPipeline`).name, "payments");
    });

    it("bundles the handler from the published layout", () => {
      const fn = single(run, "aws:lambda/function:Function");
      const assets = (fn.inputs.code as { assets: Record<string, { text: string }> }).assets;
      assert.deepEqual(Object.keys(assets).sort(), ["index.js", "refresh.proto"]);
      // esbuild names each bundled file relative to dist/: the compiled handler, not the TypeScript source.
      assert.match(assets["index.js"]!.text, /^\/\/ runtime\/lambda\/index\.js$/m);
    });
  });

  describe("its existing VPC", () => {
    it("creates no VPC and puts the function, the stream host and the groups in the given one", () => {
      assert.equal(ofType(run, "awsx:ec2:Vpc").length, 0);
      const subnets = ["subnet-0aaa1111", "subnet-0bbb2222"];
      assert.deepEqual(
        (single(run, "aws:lambda/function:Function").inputs.vpcConfig as { subnetIds: string[] }).subnetIds,
        subnets,
      );
      assert.deepEqual(single(run, "aws:elasticache/subnetGroup:SubnetGroup").inputs.subnetIds, subnets);
      for (const group of ofType(run, "aws:ec2/securityGroup:SecurityGroup"))
        assert.equal(group.inputs.vpcId, "vpc-0a1b2c3d4e5f");
      assert.equal((run.outputs.refresh as Record<string, unknown>).vpcId, "vpc-0a1b2c3d4e5f");
    });

    it("admits its API's existing security group to the stream host", () => {
      const redisGroup = partOf(
        run,
        `${NS}:network:PipelineSecurityGroups`,
        "aws:ec2/securityGroup:SecurityGroup",
        "payments-redis",
      );
      const admitted = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.inputs.securityGroupId === redisGroup.id)
        .map((r) => r.inputs.referencedSecurityGroupId);
      assert.ok(admitted.includes("sg-0a1b2c3d4e5f60718"), `admitted: ${JSON.stringify(admitted)}`);
      assert.equal(admitted.length, 3);
    });
  });

  describe("its custom arguments", () => {
    it("runs Redis OSS 7.1 with a replica in a second zone", () => {
      const group = single(run, "aws:elasticache/replicationGroup:ReplicationGroup").inputs;
      assert.deepEqual(
        {
          engine: group.engine,
          engineVersion: group.engineVersion,
          nodeType: group.nodeType,
          numCacheClusters: group.numCacheClusters,
          multiAzEnabled: group.multiAzEnabled,
          automaticFailoverEnabled: group.automaticFailoverEnabled,
        },
        {
          engine: "redis",
          engineVersion: "7.1",
          nodeType: "cache.t4g.small",
          numCacheClusters: 2,
          multiAzEnabled: true,
          automaticFailoverEnabled: true,
        },
      );
    });

    it("opens its own refresh port from the function to the services", () => {
      const ports = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(
        (r) => r.inputs.fromPort,
      );
      assert.ok(ports.includes(7443));
      assert.equal(ports.includes(50051), false);
      assert.equal((run.outputs.refresh as Record<string, unknown>).refreshPort, 7443);
    });

    it("passes its tenant scope, stream length and RPC deadline to the function", () => {
      const variables = (
        single(run, "aws:lambda/function:Function").inputs.environment as { variables: Record<string, string> }
      ).variables;
      assert.equal(variables[LAMBDA_ENVIRONMENT.scopePattern], "/payments/qa/tenants/{tenant}/");
      const settings = readLambdaSettings(variables);
      assert.equal(settings.streamMaxLength, 50_000);
      assert.equal(settings.rpcDeadlineMs, 1_500);
      assert.equal(settings.namespaceName, "payments-qa");
      assert.equal(settings.serviceName, "payments-api");
      assert.equal(settings.parameterPrefix, "/payments/qa/");
    });

    it("scopes discovery to its own namespace and service names", () => {
      const statements = (
        JSON.parse(String(single(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy)) as { Statement: Statement[] }
      ).Statement;
      const discover = statements.find((s) => list(s.Action).includes("servicediscovery:DiscoverInstances"));
      assert.deepEqual(discover?.Condition, {
        StringEquals: {
          "servicediscovery:NamespaceName": "payments-qa",
          "servicediscovery:ServiceName": "payments-api",
        },
      });
    });

    it("retries delivery as it asked", () => {
      const changeTarget = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").filter(
        (t) => t.inputs.input === undefined,
      );
      assert.equal(changeTarget.length, 1, "one change-event target (the other is the reconcile schedule's)");
      assert.deepEqual(changeTarget[0]!.inputs.retryPolicy, {
        maximumEventAgeInSeconds: 900,
        maximumRetryAttempts: 10,
      });
    });

    it("pages its own on-call topic from the dead-letter, function-error and reconciled-changes alarms", () => {
      const topicArn = stateOf(single(run, "aws:sns/topic:Topic")).arn;
      const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
      assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
        "ApproximateNumberOfMessagesVisible",
        "Errors",
        "Reconciled",
      ]);
      for (const alarm of alarms)
        assert.deepEqual(
          [alarm.inputs.alarmActions, alarm.inputs.okActions],
          [[topicArn], [topicArn]],
          String(alarm.inputs.metricName),
        );
    });

    it("tags the pipeline's resources with its team", () => {
      for (const type of [
        "aws:lambda/function:Function",
        "aws:sqs/queue:Queue",
        "aws:elasticache/replicationGroup:ReplicationGroup",
      ]) {
        const tags = single(run, type).inputs.tags as Record<string, string>;
        assert.equal(tags.team, "payments", type);
        assert.equal(tags["config-refresh:prefix"], "/payments/qa/", type);
      }
    });

    it("declares its app_config file's parameters under /payments/qa/", () => {
      assert.deepEqual(
        ofType(run, "aws:ssm/parameter:Parameter")
          .map((p) => String(p.inputs.name))
          .filter((n) => n.startsWith("/payments/qa/"))
          .sort(),
        [
          "/payments/qa/log_level",
          "/payments/qa/settlement/batch_size",
          "/payments/qa/settlement/cutoff_utc",
          "/payments/qa/tenants/acme/max_payout_eur",
          "/payments/qa/tenants/globex/max_payout_eur",
        ],
      );
    });
  });
});
