import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { refreshFunctionPolicy, type RefreshFunctionPolicyScope } from "../../../components/refreshFunction/policy";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: unknown;
}

const SERVICE_ARN = "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-abcdef0123456789";

const scope: RefreshFunctionPolicyScope = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  prefix: "/shop/beta/",
  tokenParameterArns: ["arn:aws:ssm:eu-west-1:123456789012:parameter/config-refresh/shop/beta/refresh-token"],
  namespaceName: "config-refresh-shop-beta",
  serviceName: "shop",
  serviceArn: SERVICE_ARN,
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:x",
};

describe("the refresh function's IAM policy", () => {
  const statements = (): Statement[] => refreshFunctionPolicy(scope).Statement as unknown as Statement[];
  const granting = (action: string): Statement[] => statements().filter((s) => s.Action.includes(action));

  it("may deregister instances of its own Cloud Map service only (the stale registrations it finds), by the service's ARN", () => {
    const [deregister, ...others] = granting("servicediscovery:DeregisterInstance");
    assert.deepEqual(others, []);
    assert.deepEqual(deregister?.Action, ["servicediscovery:DeregisterInstance"]);
    assert.deepEqual(deregister?.Resource, [SERVICE_ARN]);
    assert.equal(deregister?.Effect, "Allow");
    assert.equal(deregister?.Condition, undefined);
  });

  it("may neither register instances nor change their health (what the instances do themselves)", () => {
    for (const action of ["servicediscovery:RegisterInstance", "servicediscovery:UpdateInstanceCustomHealthStatus"]) {
      assert.deepEqual(granting(action), [], action);
    }
  });

  it("may sweep its own prefix by path (the reconciler), with and without the trailing slash, and no other path", async () => {
    const [sweep, ...others] = granting("ssm:GetParametersByPath");
    assert.deepEqual(others, []);
    assert.deepEqual(sweep?.Action, ["ssm:GetParametersByPath"]);
    const arns = await new Promise((resolve) => pulumi.all(sweep?.Resource as pulumi.Input<string>[]).apply(resolve));
    assert.deepEqual(arns, [
      "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/beta",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/beta/",
    ]);
  });
});
