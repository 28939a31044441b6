import { strict as assert } from "node:assert";
import type { ConfigRefreshPipelineArgs } from "../../../components/pipeline/args";
import {
  PipelineArgsError,
  resolvePipelineSettings,
  type PipelineSettings,
} from "../../../components/pipeline/settings";

const BASE: ConfigRefreshPipelineArgs = { app: "shop", appConfigFile: "stacks/app_config_beta.yaml" };
const resolve = (args: Partial<ConfigRefreshPipelineArgs> = {}): PipelineSettings =>
  resolvePipelineSettings("shop-beta", { ...BASE, ...args }, "beta");

/** Asserts that `args` are refused with a message matching every pattern. */
function refused(args: Partial<ConfigRefreshPipelineArgs>, ...patterns: RegExp[]): void {
  assert.throws(
    () => resolve(args),
    (error: unknown) => {
      assert.ok(error instanceof PipelineArgsError, `expected a PipelineArgsError, got ${String(error)}`);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

describe("resolvePipelineSettings", () => {
  describe("defaults", () => {
    it("derives the prefix from app and the stack name when env is not given", () => {
      const s = resolve();
      assert.equal(s.env, "beta");
      assert.equal(s.prefix, "/shop/beta/");
    });

    it("spells out defaults right for a small team", () => {
      const s = resolve();
      assert.deepEqual(s.network, {
        kind: "created",
        availabilityZoneCount: 2,
        natGateways: "Single",
        cidrBlock: "10.0.0.0/16",
      });
      assert.equal(s.refreshPort, 50051);
      assert.deepEqual(
        {
          engine: s.redis.engine,
          engineVersion: s.redis.engineVersion,
          nodeType: s.redis.nodeType,
          replicas: s.redis.replicas,
          multiAz: s.redis.multiAz,
          port: s.redis.port,
        },
        {
          engine: "valkey",
          engineVersion: "8.0",
          nodeType: "cache.t4g.micro",
          replicas: 0,
          multiAz: false,
          port: 6379,
        },
      );
      assert.deepEqual(s.stream, { key: "config-refresh:{/shop/beta/}", maxLength: 10_000 });
      assert.deepEqual(s.retry, {
        maximumEventAgeInSeconds: 3600,
        maximumRetryAttempts: 24,
        functionRetryAttempts: 2,
        functionMaximumEventAgeInSeconds: 3600,
      });
      assert.equal(s.deadLetter.retentionDays, 14);
      assert.equal(s.refreshFunction.runtime, "nodejs22.x");
      assert.deepEqual(s.registry, {
        namespaceName: "config-refresh-shop-beta",
        serviceName: "shop",
        refreshTokenParameterName: "/config-refresh/shop/beta/refresh-token",
      });
      assert.equal(s.redis.functionPasswordParameterName, "/config-refresh/shop/beta/redis-auth-token");
      assert.equal(s.redis.servicePasswordParameterName, "/config-refresh/shop/beta/redis-service-password");
    });

    it("takes the engine's own default version when only the engine is chosen", () => {
      assert.equal(resolve({ redis: { engine: "redis" } }).redis.engineVersion, "7.1");
    });

    it("keeps a default when an override is present but undefined (an absent yaml key)", () => {
      assert.equal(resolve({ redis: { replicas: undefined } }).redis.replicas, 0);
    });

    it("tags every resource with the caller's tags plus managed-by and the prefix", () => {
      assert.deepEqual(resolve({ tags: { team: "shop" } }).tags, {
        team: "shop",
        "managed-by": "config-refresh-pipeline",
        "config-refresh:prefix": "/shop/beta/",
      });
    });
  });

  describe("conflicting arguments", () => {
    it("refuses vpcId without subnetIds", () => refused({ vpcId: "vpc-1" }, /vpcId was given without subnetIds/));
    it("refuses subnetIds without vpcId", () =>
      refused({ subnetIds: ["subnet-1"] }, /subnetIds was given without vpcId/));
    it("refuses createdVpc together with vpcId", () =>
      refused(
        { vpcId: "vpc-1", subnetIds: ["subnet-1"], createdVpc: { natGateways: "OnePerAz" } },
        /createdVpc and vpcId conflict/,
      ));
    it("refuses redis.multiAz with no replica", () =>
      refused({ redis: { multiAz: true, replicas: 0 } }, /redis\.multiAz is true but redis\.replicas is 0/));
    it("refuses redis.multiAz with a single given subnet", () =>
      refused(
        { vpcId: "vpc-1", subnetIds: ["subnet-1"], redis: { multiAz: true, replicas: 1 } },
        /redis\.multiAz is true but subnetIds lists fewer than 2 subnets/,
      ));
    it("refuses a redis.port equal to refreshPort", () =>
      refused({ refreshPort: 6379 }, /redis\.port and refreshPort are both 6379/));
    it("refuses a gRPC fan-out that cannot finish within the function's timeout", () =>
      refused(
        { refreshFunction: { rpcDeadlineMs: 10_000, rpcRetries: 2, timeoutSeconds: 30 } },
        /rpcDeadlineMs × \(refreshFunction\.rpcRetries \+ 1\) = 30000 ms does not fit in refreshFunction\.timeoutSeconds = 30 s/,
      ));
    it("refuses the same parameter for both generated secrets", () =>
      refused(
        { redisAuthTokenParameterName: "/config-refresh/x", refreshTokenParameterName: "/config-refresh/x" },
        /redisAuthTokenParameterName and refreshTokenParameterName name the same parameter/,
      ));
  });

  describe("refresh calls over TLS", () => {
    const PEM = `-----BEGIN CERTIFICATE-----\n${"A".repeat(64)}\n-----END CERTIFICATE-----\n`;
    it("takes a PEM CA and a DNS name", () => {
      const tls = { caCertificatePem: PEM, serverName: "refresh.shop.internal" };
      assert.deepEqual(resolve({ refreshFunction: { refreshCallTls: tls } }).refreshFunction.refreshCallTls, tls);
    });
    it("refuses what is not a PEM (a path, say)", () =>
      refused(
        { refreshFunction: { refreshCallTls: { caCertificatePem: "/etc/ssl/ca.pem" } } },
        /refreshCallTls\.caCertificatePem must be a PEM certificate/,
      ));
    it("refuses a CA larger than Lambda's environment leaves room for, and a name that is not a DNS name", () =>
      refused(
        { refreshFunction: { refreshCallTls: { caCertificatePem: PEM.repeat(30), serverName: "not a name" } } },
        /refreshCallTls\.caCertificatePem is \d+ bytes, over 2400: Lambda keeps the function's whole environment within 4 KB/,
        /refreshCallTls\.serverName must be a DNS name, got "not a name"/,
      ));
  });

  describe("tenant scope", () => {
    it("accepts a scope pattern under the prefix with one {attribute} segment", () => {
      assert.equal(
        resolve({ scopePattern: "/shop/beta/tenants/{tenant}/" }).refreshFunction.scopePattern,
        "/shop/beta/tenants/{tenant}/",
      );
    });
    it("refuses a scope pattern outside the prefix", () =>
      refused(
        { scopePattern: "/shop/prod/tenants/{tenant}/" },
        /scopePattern "\/shop\/prod\/tenants\/\{tenant\}\/" is not under the parameter prefix "\/shop\/beta\/"/,
      ));
    it("refuses a scope pattern without an {attribute}", () =>
      refused({ scopePattern: "/shop/beta/tenants/" }, /exactly one \{attribute\}/));
    it("refuses a scope pattern that does not end with a slash", () =>
      refused({ scopePattern: "/shop/beta/tenants/{tenant}" }, /must end with "\/"/));
  });

  describe("values out of range", () => {
    const cases: [string, Partial<ConfigRefreshPipelineArgs>, RegExp][] = [
      [
        "EventBridge's maximum event age below 60 s",
        { retry: { maximumEventAgeInSeconds: 59 } },
        /retry\.maximumEventAgeInSeconds must be an integer from 60 to 86400 \(EventBridge's limit\), got 59/,
      ],
      [
        "EventBridge's maximum event age above 86400 s",
        { retry: { maximumEventAgeInSeconds: 86_401 } },
        /retry\.maximumEventAgeInSeconds must be an integer from 60 to 86400/,
      ],
      [
        "EventBridge's retry attempts above 185",
        { retry: { maximumRetryAttempts: 186 } },
        /retry\.maximumRetryAttempts must be an integer from 0 to 185/,
      ],
      [
        "EventBridge's retry attempts below 0",
        { retry: { maximumRetryAttempts: -1 } },
        /retry\.maximumRetryAttempts must be an integer from 0 to 185/,
      ],
      [
        "Lambda's async retries above 2",
        { retry: { functionRetryAttempts: 3 } },
        /retry\.functionRetryAttempts must be an integer from 0 to 2/,
      ],
      [
        "Lambda's async event age above 21600 s",
        { retry: { functionMaximumEventAgeInSeconds: 21_601 } },
        /retry\.functionMaximumEventAgeInSeconds must be an integer from 60 to 21600/,
      ],
      [
        "a dead-letter retention above SQS's 14 days",
        { deadLetterRetentionDays: 15 },
        /deadLetterRetentionDays must be an integer from 1 to 14/,
      ],
      ["a fractional replica count", { redis: { replicas: 1.5 } }, /redis\.replicas must be an integer from 0 to 5/],
      [
        "a replica count given as text (a quoted yaml value)",
        { redis: { replicas: "2" as unknown as number } },
        /redis\.replicas must be an integer from 0 to 5, got "2"/,
      ],
      ["an engine older than 7", { redis: { engineVersion: "6.2" } }, /redis\.engineVersion must be 7 or newer/],
      [
        "an engine that has no streams",
        { redis: { engine: "memcached" as never } },
        /redis\.engine must be one of "valkey", "redis"/,
      ],
      [
        "a log retention CloudWatch does not offer",
        { refreshFunction: { logRetentionDays: 10 } },
        /refreshFunction\.logRetentionDays must be one of/,
      ],
      [
        "a runtime older than Node.js 20",
        { refreshFunction: { runtime: "nodejs18.x" as never } },
        /refreshFunction\.runtime must be one of "nodejs20\.x", "nodejs22\.x", "nodejs24\.x"/,
      ],
      [
        "a NAT placement awsx does not know",
        { createdVpc: { natGateways: "None" as never } },
        /createdVpc\.natGateways must be one of "Single", "OnePerAz"/,
      ],
      [
        "a single availability zone",
        { createdVpc: { availabilityZoneCount: 1 } },
        /createdVpc\.availabilityZoneCount must be an integer from 2 to 6/,
      ],
      ["a refresh port outside TCP's range", { refreshPort: 70_000 }, /refreshPort must be an integer from 1 to 65535/],
      ["a stream length of 0", { stream: { maxLength: 0 } }, /stream\.maxLength must be an integer from 1/],
    ];
    for (const [what, args, pattern] of cases) {
      it(`refuses ${what}`, () => refused(args, pattern));
    }
  });

  describe("names", () => {
    it("refuses an app name SSM cannot hold in a path", () =>
      refused({ app: "my shop" }, /app: segment "my shop" has characters SSM refuses/));
    it("requires the app_config file", () => refused({ appConfigFile: "" }, /appConfigFile is required/));
    it("refuses a token parameter under the prefix, where the rule would fire and clients would load it", () =>
      refused(
        { refreshTokenParameterName: "/shop/beta/refresh-token" },
        /refreshTokenParameterName "\/shop\/beta\/refresh-token" lies under the parameter prefix "\/shop\/beta\/"/,
      ));
    it("refuses ids from the yaml that are not AWS ids", () =>
      refused(
        {
          vpcId: "my-vpc",
          subnetIds: ["subnet-0a", "10.0.1.0/24"],
          extraSecurityGroupIds: ["api"],
          alarmTopicArn: "oncall",
        },
        /vpcId must look like "vpc-0abc123", got "my-vpc"/,
        /subnetIds\[1\] must look like "subnet-0abc123"/,
        /extraSecurityGroupIds\[0\] must look like "sg-0abc123"/,
        /alarmTopicArn must look like/,
      ));
    it("refuses a token parameter name that is not a full path", () =>
      refused(
        { redisAuthTokenParameterName: "redis-auth-token" },
        /redisAuthTokenParameterName must be a full parameter name starting with "\/"/,
      ));
  });

  describe("names AWS refuses, derived from the component's name", () => {
    /** The problems of a component named `name` (otherwise valid arguments). */
    const problemsOf = (name: string): readonly string[] => {
      try {
        resolvePipelineSettings(name, BASE, "beta");
        return [];
      } catch (error) {
        assert.ok(error instanceof PipelineArgsError);
        return error.problems;
      }
    };

    it("accepts the names of this repository's stacks", () => {
      for (const name of ["shop-beta", "shop-staging", "shop-production"]) assert.deepEqual(problemsOf(name), [], name);
    });

    it("refuses an underscore, which SSM allows and ElastiCache does not, naming the resource and the name", () => {
      assert.ok(
        problemsOf("my_shop-beta").some((p) =>
          p.startsWith(
            'ElastiCache replication group id "my_shop-beta-redis-" + 7 random characters: AWS allows only lowercase letters, digits and hyphens',
          ),
        ),
      );
    });

    it("refuses a name that starts with a digit or holds -- in the replication group id", () => {
      assert.ok(problemsOf("1shop-beta").some((p) => p.includes('replication group id "1shop-beta-redis-"')));
      assert.ok(problemsOf("shop--beta").some((p) => p.includes('replication group id "shop--beta-redis-"')));
    });

    it("refuses a name whose replication group id passes 40 characters with the provider's random suffix", () => {
      const name = "a".repeat(26); // 26 + "-redis" + "-" + 7 = 40: the longest that fits
      assert.deepEqual(problemsOf(name), []);
      assert.deepEqual(problemsOf(`${name}b`), [
        `ElastiCache replication group id "${name}b-redis-" + 7 random characters is 41 characters, over AWS's limit of 40: shorten the component's name "${name}b" by 1`,
      ]);
    });

    it("refuses a name too long for the Lambda function, the IAM role and the EventBridge rule, naming each limit", () => {
      const problems = problemsOf(`shop-${"x".repeat(60)}`).join("\n");
      for (const pattern of [
        /Lambda function name .* over AWS's limit of 64/,
        /IAM role name .* over AWS's limit of 64/,
        /EventBridge rule name .* over AWS's limit of 64/,
      ]) {
        assert.match(problems, pattern);
      }
    });
  });

  describe("protection of the stateful resources", () => {
    it("is off unless asked", () => {
      assert.equal(resolve().protectStatefulResources, false);
      assert.equal(resolve({ protectStatefulResources: true }).protectStatefulResources, true);
    });

    it("refuses a value that is not true or false (a quoted yaml value)", () =>
      refused(
        { protectStatefulResources: "yes" as unknown as boolean },
        /protectStatefulResources must be true or false, got "yes"/,
      ));
  });

  it("lists every problem at once, not only the first", () => {
    refused(
      { vpcId: "vpc-1", retry: { maximumRetryAttempts: 500 }, deadLetterRetentionDays: 0 },
      /vpcId was given without subnetIds/,
      /retry\.maximumRetryAttempts/,
      /deadLetterRetentionDays/,
    );
  });
});
