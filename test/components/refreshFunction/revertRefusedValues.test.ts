import { strict as assert } from "node:assert";
import { refreshFunctionPolicy, type RefreshFunctionPolicyScope } from "../../../components/refreshFunction/policy";
import { LAMBDA_ENVIRONMENT, readLambdaSettings } from "../../../runtime/lambda/environment";
import { runProgram, type ProgramRun } from "../../support/pulumi/runProgram";
import { CREATED_VPC_CONFIG } from "../../support/pulumi/stackNetworks";
import { childrenOf, partOf } from "../pipeline/resourceGraph";

const NS = "config-refresh-pipeline";
const FUNCTION = `${NS}:refreshFunction:RefreshFunction`;
const WRITE_ACTIONS = ["ssm:PutParameter", "ssm:GetParameterHistory"];

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

const scope: RefreshFunctionPolicyScope = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  prefix: "/shop/beta/",
  tokenParameterArns: ["arn:aws:ssm:eu-west-1:123456789012:parameter/config-refresh/shop/beta/refresh-token"],
  namespaceName: "config-refresh-shop-beta",
  serviceName: "shop",
  serviceArn: "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-abcdef0123456789",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:x",
};

describe("the refresh function with revertRefusedValues off", function () {
  this.timeout(120_000);

  describe("its policy", () => {
    const granting = (revertRefusedValues: boolean, action: string): Statement[] =>
      (refreshFunctionPolicy({ ...scope, revertRefusedValues }).Statement as unknown as Statement[]).filter((s) =>
        list(s.Action).includes(action),
      );

    it("grants neither ssm:PutParameter nor ssm:GetParameterHistory, on any resource", () => {
      for (const action of WRITE_ACTIONS) assert.deepEqual(granting(false, action), [], action);
    });

    it("grants both, in one statement of its own, only when on (its resource: the stack test)", () => {
      const [revert, ...others] = granting(true, "ssm:PutParameter");
      assert.deepEqual(others, []);
      assert.deepEqual(list(revert!.Action).sort(), [...WRITE_ACTIONS].sort());
      const count = (on: boolean): number =>
        (refreshFunctionPolicy({ ...scope, revertRefusedValues: on }).Statement as unknown[]).length;
      assert.equal(count(true), count(false) + 1);
    });
  });

  describe("in the stack program, turned off by its config (mocks)", () => {
    let run: ProgramRun;

    before(async () => {
      run = await runProgram({
        stack: "beta",
        account: {
          parameters: { "/shop/beta/database/password": "SecureString", "/shop/beta/payments/api_key": "SecureString" },
        },
        configOverrides: {
          ...CREATED_VPC_CONFIG,
          [`${NS}:refreshFunction`]: JSON.stringify({ logRetentionDays: 7, revertRefusedValues: false }),
        },
      });
    });

    it("declares the pipeline without an error", () => {
      assert.deepEqual(run.errors, []);
    });

    it("grants the function no SSM write and no history read", () => {
      const policy = partOf(run, FUNCTION, "aws:iam/rolePolicy:RolePolicy").inputs.policy;
      const statements = (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;
      for (const action of WRITE_ACTIONS) {
        assert.deepEqual(
          statements.filter((s) => list(s.Action).includes(action)),
          [],
          action,
        );
      }
      assert.equal(
        statements.some((s) => s.Sid === "RevertRefusedValues"),
        false,
      );
    });

    it("sets no revert variable, so the function reads reverting as off", () => {
      const fn = partOf(run, FUNCTION, "aws:lambda/function:Function");
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      assert.equal(variables[LAMBDA_ENVIRONMENT.revertRefused], undefined);
      assert.equal(readLambdaSettings(variables).revertRefused, false);
    });

    it("declares no alarm on reverts, only the one on the function's errors", () => {
      const alarms = childrenOf(run, FUNCTION).filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
      assert.deepEqual(
        alarms.map((a) => a.inputs.metricName),
        ["Errors"],
      );
    });
  });
});
