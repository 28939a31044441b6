import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RECONCILE_REQUEST } from "../../../runtime/protocol";
import { isReconcileRequest } from "../../../runtime/protocol/pipelineContract";
import { rateExpression } from "../../../components/reconcileSchedule/reconcileSchedule";
import { runProgram, single, type ProgramRun } from "../../support/pulumi/runProgram";
import { stateOf } from "../pipeline/resourceGraph";

const PROGRAM = path.join(__dirname, "fixtures", "scheduleProgram.ts");
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:oncall";

describe("ReconcileSchedule invokes the refresh function with a reconcile request on a schedule (mocks)", function () {
  let five: ProgramRun;
  let one: ProgramRun;

  before(async function () {
    this.timeout(120_000);
    const run = (interval: number, extra: Record<string, string> = {}): Promise<ProgramRun> =>
      runProgram({
        program: PROGRAM,
        stack: "test",
        project: "schedule-test",
        config: { "schedule-test:interval": String(interval), "aws:region": "eu-west-1", ...extra },
      });
    [five, one] = await Promise.all([run(5, { "schedule-test:topic": TOPIC }), run(1)]);
  });

  it("declares a schedule rule at the interval, in EventBridge's rate syntax (singular for one minute)", () => {
    assert.deepEqual([five.errors, one.errors], [[], []]);
    const rule = single(five, "aws:cloudwatch/eventRule:EventRule");
    assert.equal(rule.inputs.scheduleExpression, "rate(5 minutes)");
    assert.equal(rule.inputs.eventPattern, undefined, "a schedule rule, not a pattern rule");
    assert.equal(rule.inputs.state, "ENABLED");
    assert.equal(single(one, "aws:cloudwatch/eventRule:EventRule").inputs.scheduleExpression, "rate(1 minute)");
    assert.deepEqual([rateExpression(1), rateExpression(60)], ["rate(1 minute)", "rate(60 minutes)"]);
  });

  it("targets the function with the reconcile request as constant input, retried no longer than one period", () => {
    const target = single(five, "aws:cloudwatch/eventTarget:EventTarget");
    assert.equal(target.inputs.rule, stateOf(single(five, "aws:cloudwatch/eventRule:EventRule")).name);
    assert.equal(target.inputs.arn, stateOf(single(five, "aws:lambda/function:Function")).arn);
    assert.equal(target.inputs.input, JSON.stringify(RECONCILE_REQUEST));
    assert.ok(isReconcileRequest(JSON.parse(String(target.inputs.input))), "the function recognises the input");
    assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 300, maximumRetryAttempts: 0 });
  });

  it("lets only this rule invoke the function", () => {
    const permission = single(five, "aws:lambda/permission:Permission");
    assert.equal(permission.inputs.action, "lambda:InvokeFunction");
    assert.equal(permission.inputs.principal, "events.amazonaws.com");
    assert.equal(permission.inputs.sourceArn, stateOf(single(five, "aws:cloudwatch/eventRule:EventRule")).arn);
    assert.equal(permission.inputs.function, stateOf(single(five, "aws:lambda/function:Function")).name);
  });

  it("alarms on the first healed change within one period, and tells the on-call topic", () => {
    const alarm = single(five, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(
      [
        alarm.inputs.namespace,
        alarm.inputs.metricName,
        alarm.inputs.dimensions,
        alarm.inputs.statistic,
        alarm.inputs.period,
        alarm.inputs.threshold,
      ],
      ["ConfigRefresh", "Reconciled", { service: "config-refresh/shop/beta" }, "Sum", 300, 1],
    );
    assert.deepEqual([alarm.inputs.alarmActions, alarm.inputs.okActions], [[TOPIC], [TOPIC]]);
    assert.deepEqual(single(one, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs.alarmActions ?? [], []);
  });
});
