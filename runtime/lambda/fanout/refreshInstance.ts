import { performance } from "node:perf_hooks";
import { describeError } from "../../common/errors";
import * as grpc from "@grpc/grpc-js";
import { refreshTokenMetadata, type NackReason, type RefreshRequest, type RefreshResponse } from "../../protocol";
import type { InstanceRefreshResult } from "../types";
import type { RefreshClientPool } from "./RefreshClientPool";

/** Where the token of a call comes from. */
export interface RefreshTokenSource {
  get(): Promise<string>;
  /** Reads the token again (the server refused it: maybe it was just rotated). */
  refresh(minAgeMs: number): Promise<string>;
}

/** How to call one instance. */
export interface RefreshCallOptions {
  pool: RefreshClientPool;
  tokens: RefreshTokenSource;
  /** Deadline of one attempt, ms. */
  deadlineMs: number;
  /** Attempts after the first when the instance is unreachable or past the deadline. */
  retries: number;
  /** Time left in the invocation, ms (Lambda context); attempts are cut to fit in it. */
  remainingTimeMs?(): number;
}

/** Codes after which the call is tried again: the instance did not answer. */
const RETRYABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);
/** Time kept for the function itself after the last call, ms. */
const INVOCATION_MARGIN_MS = 500;
/** Pause before trying a refused connection again (a restarting instance), ms. */
const RETRY_PAUSE_MS = 50;
/** A token younger than this is not re-read when a server refuses it. */
const TOKEN_REREAD_MIN_AGE_MS = 10_000;

/**
 * Calls `Refresh` on one instance: each attempt with its own deadline, a retry when the instance
 * was unreachable or too slow (on a fresh connection), one more attempt with a re-read token when
 * the server answered UNAUTHENTICATED (a rotation in progress). An answer that names another
 * instance id than the one discovered is not an acknowledgement: the address was reused by a new
 * task and the registration is stale (an answer without an id is taken as the instance's own).
 * Never throws: the result says ACK, NACK or unreachable (and why), with the attempts and latency.
 *
 * @example
 * ```ts
 * const result = await refreshInstance({ instanceId: "i-1", address: "10.0.1.7:50051" }, request, options);
 * ```
 */
export async function refreshInstance(
  instance: { instanceId: string; address: string },
  request: RefreshRequest,
  options: RefreshCallOptions,
): Promise<InstanceRefreshResult> {
  const started = performance.now();
  const base = { instanceId: instance.instanceId, address: instance.address };
  const latency = (): number => Math.round(performance.now() - started);
  let attempts = 0;
  let retriesLeft = options.retries;
  let tokenReread = false;
  let lastError = "";
  let token: string;
  try {
    token = await options.tokens.get();
  } catch (error) {
    return {
      ...base,
      outcome: "unreachable",
      unreachableReason: "no-token",
      results: [],
      attempts,
      latencyMs: latency(),
      error: `no refresh token: ${describeError(error)}`,
    };
  }
  for (;;) {
    const deadlineMs = Math.min(
      options.deadlineMs,
      Math.max(1, (options.remainingTimeMs?.() ?? Infinity) - INVOCATION_MARGIN_MS),
    );
    attempts += 1;
    try {
      const response = await call(options.pool, instance.address, request, token, deadlineMs);
      if (response.instanceId && response.instanceId !== instance.instanceId) {
        return {
          ...base,
          outcome: "unreachable",
          unreachableReason: "other-instance",
          answeredAs: response.instanceId,
          results: [],
          attempts,
          latencyMs: latency(),
          error:
            `${instance.address} answered as instance ${response.instanceId}: the address was reused, ` +
            "this registration is stale",
        };
      }
      return { ...base, ...classify(request, response), attempts, latencyMs: latency() };
    } catch (error) {
      const failure = error as grpc.ServiceError;
      lastError = `${grpc.status[failure.code] ?? "ERROR"}: ${failure.details || failure.message}`;
      if (RETRYABLE.has(failure.code)) options.pool.discard(instance.address);
      if (failure.code === grpc.status.UNAUTHENTICATED && !tokenReread) {
        tokenReread = true;
        const fresh = await options.tokens.refresh(TOKEN_REREAD_MIN_AGE_MS).catch(() => token);
        if (fresh !== token) {
          token = fresh;
          continue;
        }
      }
      if (RETRYABLE.has(failure.code) && retriesLeft > 0) {
        retriesLeft -= 1;
        if (failure.code === grpc.status.UNAVAILABLE)
          await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
        continue;
      }
      // Past a deadline the invocation's end cut short, silence says nothing about the instance.
      const cut = failure.code === grpc.status.DEADLINE_EXCEEDED && deadlineMs < options.deadlineMs;
      const unreachableReason = cut ? "out-of-time" : RETRYABLE.has(failure.code) ? "no-answer" : "refused";
      return {
        ...base,
        outcome: "unreachable",
        unreachableReason,
        results: [],
        attempts,
        latencyMs: latency(),
        error: lastError,
      };
    }
  }
}

function call(
  pool: RefreshClientPool,
  address: string,
  request: RefreshRequest,
  token: string,
  deadlineMs: number,
): Promise<RefreshResponse> {
  return new Promise((resolve, reject) => {
    const lease = pool.acquire(address);
    try {
      const metadata = refreshTokenMetadata(token);
      lease.client.Refresh(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
        lease.release();
        if (error) reject(error);
        else if (response) resolve(response);
        else reject(Object.assign(new Error("empty answer"), { code: grpc.status.INTERNAL, details: "empty answer" }));
      });
    } catch (error) {
      lease.release();
      throw error;
    }
  });
}

/** ACK when every change was acknowledged; NACK when one was refused or not answered at all. */
function classify(
  request: RefreshRequest,
  response: RefreshResponse,
): Pick<InstanceRefreshResult, "outcome" | "results" | "missing" | "reasons"> {
  const results = response.results ?? [];
  const answered = new Set(results.map((result) => result.name));
  const missing = request.changes.map((change) => change.name).filter((name) => !answered.has(name));
  const nacked = results.filter((result) => result.outcome !== "ACK");
  if (nacked.length === 0 && missing.length === 0) return { outcome: "ACK", results };
  const reasons = [
    ...new Set(
      nacked.map((result) => result.reason).filter((reason): reason is NackReason => typeof reason === "string"),
    ),
  ];
  return {
    outcome: "NACK",
    results,
    ...(missing.length > 0 ? { missing } : {}),
    ...(reasons.length > 0 ? { reasons } : {}),
  };
}
