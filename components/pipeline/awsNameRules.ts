/**
 * The names the component derives and the rule each resource's API holds them to, in one place:
 * `resolvePipelineSettings` checks them before anything is declared, so a name AWS refuses fails
 * the preview instead of the first `pulumi up`. Sources: AWS's API references (CreateReplicationGroup,
 * CreateFunction, CreateRole, ...) and the Pulumi AWS provider's auto-naming (`provider/resources.go`:
 * `<logical name>-<7 random characters>`, lowercased for ElastiCache). No Pulumi import.
 */

/** What Pulumi's auto-name appends to a logical name: `-` and 7 random characters. */
export const AUTO_NAME_SUFFIX_LENGTH = 8;

/** One kind of resource the component auto-names from its own name, and AWS's rule for that name. */
export interface AwsNameRule {
  /** The name as AWS calls it, e.g. "ElastiCache replication group id". */
  resource: string;
  /** Pulumi type token of the resource. */
  type: string;
  /** What the component appends to its own name to get the resource's logical name. */
  suffixes: readonly string[];
  /** Longest name AWS accepts, the random suffix included. */
  maxLength: number;
  /** The characters AWS accepts, tested on the name as sent (lowercased first when `lowercased`). */
  pattern: RegExp;
  /** `pattern` in words. */
  allowed: string;
  /** The provider lowercases the name before sending it. */
  lowercased?: boolean;
  /** AWS also refuses `--` (a trailing `-` cannot occur: the random suffix comes last). */
  noDoubleHyphen?: boolean;
}

const IAM_NAME = /^[\w+=,.@-]+$/;
const IAM_ALLOWED = "letters, digits and + = , . @ _ -";

/** Every name the component auto-names, by resource. */
export const AWS_NAME_RULES: readonly AwsNameRule[] = [
  {
    resource: "ElastiCache replication group id",
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    suffixes: ["-redis"],
    maxLength: 40,
    lowercased: true,
    noDoubleHyphen: true,
    pattern: /^[a-z][a-z0-9-]*$/,
    allowed: 'lowercase letters, digits and hyphens, starting with a letter, no "--"',
  },
  {
    resource: "ElastiCache subnet group name",
    type: "aws:elasticache/subnetGroup:SubnetGroup",
    suffixes: ["-redis"],
    maxLength: 255,
    lowercased: true,
    pattern: /^[a-z0-9-]+$/,
    allowed: "letters, digits and hyphens",
  },
  {
    resource: "Lambda function name",
    type: "aws:lambda/function:Function",
    suffixes: ["-refresh"],
    maxLength: 64,
    pattern: /^[a-zA-Z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
  },
  {
    resource: "Lambda permission statement id",
    type: "aws:lambda/permission:Permission",
    suffixes: ["-parameter-change", "-reconcile"],
    maxLength: 100,
    pattern: /^[a-zA-Z0-9_.-]+$/,
    allowed: "letters, digits, _ . and -",
  },
  {
    resource: "IAM role name",
    type: "aws:iam/role:Role",
    suffixes: ["-refresh"],
    maxLength: 64,
    pattern: IAM_NAME,
    allowed: IAM_ALLOWED,
  },
  {
    resource: "IAM role policy name",
    type: "aws:iam/rolePolicy:RolePolicy",
    suffixes: ["-refresh"],
    maxLength: 128,
    pattern: IAM_NAME,
    allowed: IAM_ALLOWED,
  },
  {
    resource: "IAM policy name",
    type: "aws:iam/policy:Policy",
    suffixes: ["-service-instance"],
    maxLength: 128,
    pattern: IAM_NAME,
    allowed: IAM_ALLOWED,
  },
  {
    resource: "SQS queue name",
    type: "aws:sqs/queue:Queue",
    suffixes: ["-dlq"],
    maxLength: 80,
    pattern: /^[a-zA-Z0-9_-]+$/,
    allowed: "letters, digits, _ and -",
  },
  {
    resource: "EventBridge rule name",
    type: "aws:cloudwatch/eventRule:EventRule",
    suffixes: ["-parameter-change", "-reconcile"],
    maxLength: 64,
    pattern: /^[a-zA-Z0-9_.-]+$/,
    allowed: "letters, digits, _ . and -",
  },
  {
    resource: "EventBridge target id",
    type: "aws:cloudwatch/eventTarget:EventTarget",
    suffixes: ["-parameter-change", "-reconcile"],
    maxLength: 64,
    pattern: /^[a-zA-Z0-9_.-]+$/,
    allowed: "letters, digits, _ . and -",
  },
  {
    resource: "CloudWatch alarm name",
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    suffixes: ["-refresh-errors", "-refresh-reverts", "-dlq-not-empty", "-reconciled"],
    maxLength: 255,
    pattern: /^[ -~\u0080-\uffff]+$/,
    allowed: "printable characters",
  },
  {
    resource: "EC2 security group name",
    type: "aws:ec2/securityGroup:SecurityGroup",
    suffixes: ["-function", "-redis", "-service"],
    maxLength: 255,
    pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/,
    allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
  },
];

/** CloudWatch Logs' limit on a log group name, and its characters. */
const LOG_GROUP_NAME = { maxLength: 512, pattern: /^[a-zA-Z0-9_\-/.#]+$/, allowed: "letters, digits and _ - / . #" };

/** The refresh function's log group: `/aws/lambda/config-refresh/<app>/<env>`. */
export function refreshLogGroupName(prefix: string): string {
  return `/aws/lambda/config-refresh${prefix.replace(/\/$/, "")}`;
}

/**
 * Every problem with the names the component derives from its own `name` (and, for the log
 * group, from the parameter `prefix`), each naming the resource, AWS's limit and the name.
 *
 * @example
 * ```ts
 * derivedNameProblems("my_shop-beta", "/my_shop/beta/");
 * // ['ElastiCache replication group id "my_shop-beta-redis-" + 7 random characters: AWS allows only ...']
 * ```
 */
export function derivedNameProblems(name: string, prefix: string): string[] {
  const problems: string[] = [];
  for (const rule of AWS_NAME_RULES) {
    for (const suffix of rule.suffixes) {
      const logical = `${name}${suffix}`;
      const sent = `${rule.lowercased ? logical.toLowerCase() : logical}-`;
      const shown = `${rule.resource} ${JSON.stringify(sent)} + 7 random characters`;
      const length = logical.length + AUTO_NAME_SUFFIX_LENGTH;
      if (length > rule.maxLength) {
        problems.push(
          `${shown} is ${length} characters, over AWS's limit of ${rule.maxLength}: ` +
            `shorten the component's name ${JSON.stringify(name)} by ${length - rule.maxLength}`,
        );
      }
      if (!rule.pattern.test(sent) || (rule.noDoubleHyphen === true && sent.includes("--"))) {
        problems.push(`${shown}: AWS allows only ${rule.allowed}: rename the component (${JSON.stringify(name)})`);
      }
    }
  }
  const logGroup = refreshLogGroupName(prefix);
  if (logGroup.length > LOG_GROUP_NAME.maxLength || !LOG_GROUP_NAME.pattern.test(logGroup)) {
    problems.push(
      `CloudWatch log group name ${JSON.stringify(logGroup)} (from the prefix): AWS allows ` +
        `${LOG_GROUP_NAME.maxLength} characters of ${LOG_GROUP_NAME.allowed}, it has ${logGroup.length}`,
    );
  }
  return problems;
}
