import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { refreshFunctionPolicy } from "../../../components/refreshFunction/policy";
import { serviceInstancePolicy } from "../../../components/serviceAccess/serviceInstancePolicy";
import { resolvePipelineSettings } from "../../../components/pipeline/settings";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, Record<string, unknown>>;
}

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const base = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  prefix: "/shop/beta/",
  tokenParameterArns: ["arn:aws:ssm:eu-west-1:123456789012:parameter/config-refresh/shop/beta/refresh-token"],
};
const fnScope = {
  ...base,
  namespaceName: "config-refresh-shop-beta",
  serviceName: "shop",
  serviceArn: "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-abc",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:x",
};
const svcScope = { ...base, serviceArn: fnScope.serviceArn };

/** The value of an Output (these are known at once: plain inputs). */
const outputValue = (output: unknown): Promise<unknown> =>
  new Promise((resolve) => (pulumi.output(output) as pulumi.Output<unknown>).apply((v) => resolve(v)));

const policies = {
  "the refresh function's": (kmsKeyArns?: string[]) =>
    refreshFunctionPolicy({ ...fnScope, ...(kmsKeyArns ? { kmsKeyArns } : {}) }).Statement as unknown as Statement[],
  "a service instance's": (kmsKeyArns?: string[]) =>
    serviceInstancePolicy({ ...svcScope, ...(kmsKeyArns ? { kmsKeyArns } : {}) }).Statement as unknown as Statement[],
};

describe("kms:Decrypt on the customer-managed keys of SecureStrings under the prefix", () => {
  for (const [whose, statements] of Object.entries(policies)) {
    describe(`${whose} policy`, () => {
      it("grants kms:Decrypt on exactly the keys given, only through SSM in the stack's region", async () => {
        const decrypt = statements([KEY]).filter((s) => s.Action.some((a) => a.startsWith("kms:")));
        assert.equal(decrypt.length, 1);
        assert.deepEqual(decrypt[0]!.Action, ["kms:Decrypt"]);
        assert.deepEqual(decrypt[0]!.Resource, [KEY]);
        assert.equal(decrypt[0]!.Effect, "Allow");
        assert.deepEqual(Object.keys(decrypt[0]!.Condition ?? {}), ["StringEquals"]);
        assert.equal(
          await outputValue(decrypt[0]!.Condition!.StringEquals!["kms:ViaService"]),
          "ssm.eu-west-1.amazonaws.com",
        );
      });

      it("grants no KMS action at all without keys (the aws/ssm key needs none)", () => {
        assert.deepEqual(
          statements().filter((s) => s.Action.some((a) => a.startsWith("kms:"))),
          [],
        );
        assert.deepEqual(
          statements([]).filter((s) => s.Action.some((a) => a.startsWith("kms:"))),
          [],
        );
      });
    });
  }

  describe("the pipeline's argument parameterKmsKeyArns", () => {
    const args = { app: "shop", appConfigFile: "stacks/app_config_beta.yaml" };

    it("is passed on as given, and defaults to none", () => {
      assert.deepEqual(
        resolvePipelineSettings("shop-beta", { ...args, parameterKmsKeyArns: [KEY] }, "beta").parameterKmsKeyArns,
        [KEY],
      );
      assert.deepEqual(resolvePipelineSettings("shop-beta", args, "beta").parameterKmsKeyArns, []);
    });

    it("refuses an alias or anything but a key ARN, naming the argument", () => {
      assert.throws(
        () => resolvePipelineSettings("shop-beta", { ...args, parameterKmsKeyArns: ["alias/shop", KEY] }, "beta"),
        /parameterKmsKeyArns\[0\] \(a key ARN: an alias cannot be granted kms:Decrypt\) must look like/,
      );
    });
  });
});
