import { status } from "@grpc/grpc-js";
import { describeError } from "../../common/errors";
import {
  createRefreshClient,
  type NackReason,
  type RefreshResponse,
  type WireParameterChange,
} from "../../protocol/refreshService";
import { refreshTokenMetadata } from "../../protocol/refreshToken";
import type { ParameterType } from "../../protocol/types";
import { OperatorError, PreflightRefusedError, PreflightUnreachableError } from "../errors";
import { groupByReason } from "../format/groupByReason";
import { STATE_DEADLINE_MS } from "./fleetState";
import { gotNoAnswer, readFleetLocation, type FleetLocation, type RegisteredInstance } from "./registeredInstances";

/** The reasons that mean "this instance would refuse the value itself" (not its delivery). */
const REFUSING: readonly NackReason[] = ["VALIDATION_FAILED", "UNKNOWN_NAME"];
/** Addresses named in the unreachable sentence; the others are counted. */
const SHOWN_ADDRESSES = 3;

/** The change a pre-flight asks about: what the write would make SSM hold. */
export interface ProposedChange {
  name: string;
  value: string;
  type: ParameterType;
  /** SSM's current version (0: the parameter does not exist yet, the write creates version 1). */
  currentVersion: number;
}

/** What one registered instance answered. */
export type PreflightAnswer = RegisteredInstance &
  (
    | { verdict: "accepts" }
    | { verdict: "refuses"; reason: NackReason; detail: string }
    /** It answered nothing usable: an older instance (UNIMPLEMENTED), another NACK, a failed call. */
    | { verdict: "cannot-tell"; detail: string; unanswered: boolean }
  );

/** Every registered instance's answer about one proposed change. */
export interface PreflightReport {
  change: WireParameterChange;
  answers: PreflightAnswer[];
  /** Deadline each `Validate` call had, ms. */
  deadlineMs: number;
}

/**
 * Asks every instance registered in Cloud Map (healthy or not) whether it would take `proposed`,
 * with a `Validate` call each (in parallel, each within `deadlineMs`): the change as the write would
 * make it, the next version modified now. Validate changes nothing on the instance.
 *
 * @throws the AWS SDK's error when the token or Cloud Map cannot be read (see `explainFleetReadError`);
 * an instance that does not answer is reported in its {@link PreflightAnswer}, never thrown.
 *
 * @example
 * ```ts
 * const report = await askFleetFirst(location, { name, value: "debug", type: "String", currentVersion: 6 });
 * const refused = report.answers.filter((a) => a.verdict === "refuses");
 * ```
 */
export async function askFleetFirst(
  location: FleetLocation,
  proposed: ProposedChange,
  deadlineMs = STATE_DEADLINE_MS,
): Promise<PreflightReport> {
  const { token, instances } = await readFleetLocation(location);
  const now = Date.now();
  const change: WireParameterChange = {
    name: proposed.name,
    operation: proposed.currentVersion === 0 ? "Create" : "Update",
    version: proposed.currentVersion + 1,
    type: proposed.type,
    value: proposed.value,
    modifiedAtMs: now,
    changedAtMs: now,
  };
  const answers = await Promise.all(
    instances.map(async (instance): Promise<PreflightAnswer> => {
      if (!instance.address)
        return { ...instance, verdict: "cannot-tell", detail: "registered without an address", unanswered: false };
      try {
        const response = await callValidate(instance.address, token, change, deadlineMs);
        const result = response.results.find((r) => r.name === change.name);
        if (!result)
          return { ...instance, verdict: "cannot-tell", detail: "answered about nothing", unanswered: false };
        if (result.outcome === "ACK") return { ...instance, verdict: "accepts" };
        const reason = result.reason ?? "NACK_REASON_UNSPECIFIED";
        const detail = result.detail ?? "";
        if (REFUSING.includes(reason as NackReason))
          return { ...instance, verdict: "refuses", reason: reason as NackReason, detail };
        return { ...instance, verdict: "cannot-tell", detail: `${reason}: ${detail}`, unanswered: false };
      } catch (error) {
        const code = (error as { code?: number }).code;
        const detail =
          code === status.UNIMPLEMENTED
            ? "it predates Validate (UNIMPLEMENTED): it cannot tell"
            : code === status.UNAUTHENTICATED
              ? "it refused the refresh token (UNAUTHENTICATED)"
              : describeError(error);
        return { ...instance, verdict: "cannot-tell", detail, unanswered: gotNoAnswer(error) };
      }
    }),
  );
  answers.sort((a, b) => a.instanceId.localeCompare(b.instanceId, undefined, { numeric: true }));
  return { change, answers, deadlineMs };
}

/**
 * The error that stops a write after the pre-flight, or undefined when it may go on: some instance
 * refuses ({@link PreflightRefusedError}, exit 1); none answered from here at all, as a fleet inside a
 * VPC looks from outside ({@link PreflightUnreachableError}, exit 3); none could tell (exit 1). No
 * instance registered, or every one that could tell accepts: the write goes on.
 */
export function preflightVerdict(report: PreflightReport, command: string): OperatorError | undefined {
  const { answers, change } = report;
  if (answers.length === 0) return undefined;
  const refused = answers.filter((a) => a.verdict === "refuses");
  if (refused.length > 0) {
    const who = groupByReason(refused)
      .map((group) => `${group.instances.join(", ")} (${group.reason})`)
      .join("; ");
    return new PreflightRefusedError(
      `${refused.length} of ${answers.length} registered instances would refuse version ${change.version} of ` +
        `${change.name}: ${who}. Nothing was written: fix the value, or give --force to write it anyway`,
    );
  }
  if (answers.some((a) => a.verdict === "accepts")) return undefined;
  if (answers.every((a) => a.verdict === "cannot-tell" && a.unanswered)) {
    const addresses = answers.slice(0, SHOWN_ADDRESSES).map((a) => a.address);
    const more = answers.length > SHOWN_ADDRESSES ? ` and ${answers.length - SHOWN_ADDRESSES} more` : "";
    const what = answers.length === 1 ? "the registered instance" : `any of the ${answers.length} registered instances`;
    return new PreflightUnreachableError(
      `cannot reach ${what} at ${addresses.join(", ")}${more} from this machine ` +
        `(no Validate answer within ${report.deadlineMs} ms): the instances answer only inside the pipeline's VPC, ` +
        "so the pre-flight cannot ask them from here. Nothing was written. Give --no-preflight to write after " +
        "SSM's own checks only, or --force to write whatever the fleet answers; or run " +
        `\`config-refresh ${command}\` inside the VPC (a one-off ECS task in the services' subnets with their ` +
        "security group, or AWS CloudShell in that VPC)",
    );
  }
  return new OperatorError(
    `no registered instance could tell whether it would take version ${change.version} of ${change.name} ` +
      `(${answers.map((a) => `${a.instanceId}: ${a.verdict === "cannot-tell" ? a.detail : a.verdict}`).join("; ")}). ` +
      "Nothing was written: give --force to write it anyway, or --no-preflight to skip asking",
  );
}

/** One `Validate` call with the token, within `deadlineMs`; a failure keeps the gRPC status as `code`. */
function callValidate(
  address: string,
  token: string,
  change: WireParameterChange,
  deadlineMs: number,
): Promise<RefreshResponse> {
  const client = createRefreshClient(address);
  return new Promise<RefreshResponse>((resolve, reject) => {
    client.Validate(
      { changes: [change], eventId: "config-refresh pre-flight", sentAtMs: Date.now() },
      refreshTokenMetadata(token),
      { deadline: Date.now() + deadlineMs },
      (error, response) => {
        if (!error) return resolve(response as RefreshResponse);
        const detail = error.details || error.message;
        reject(Object.assign(new Error(`Validate call to ${address} failed: ${detail}`), { code: error.code }));
      },
    );
  }).finally(() => client.close());
}
