import type {
  ParameterResult,
  RefreshCallHandlers,
  RefreshRequest,
  RefreshResponse,
  StateRequest,
  StateResponse,
} from "../../protocol";
import type { CandidateChange, ChangeResult } from "../state/applyChanges";
import type { ClaimedChange, PublishedVerdict } from "./PublishedChangeCheck";
import type { ClientState } from "../types";
import { MAX_TIME_MS, parseWireChange } from "./wireChange";

/** What the refresh handlers need from the client. */
export interface RefreshHandlerDeps {
  instanceId: string;
  /** Applies a batch like a stream batch (validated first, one swap) and answers per change. */
  apply(candidates: readonly CandidateChange[]): Promise<readonly ChangeResult[]>;
  /** Answers a batch as `apply` would, changing nothing. */
  validate(candidates: readonly CandidateChange[]): Promise<readonly ChangeResult[]>;
  /** What the instance holds. */
  state(): ClientState;
  /** A change of the call could not be read (counted as rejected). */
  onMalformed(name: string, detail: string): void;
  /** An authenticated `Refresh` call arrived. */
  onRefresh(): void;
  /** An authenticated `Validate` call arrived. */
  onValidate(): void;
  /**
   * Checks a `Refresh` call's changes against what the pipeline published (`PublishedChangeCheck`); a
   * change it refuses is answered NACK `NOT_PUBLISHED` and not applied. Absent: changes are taken as they come.
   */
  verify?(claims: readonly ClaimedChange[]): Promise<readonly PublishedVerdict[]>;
}

/**
 * The client's side of `refresh.proto` (authentication is `startRefreshServer`'s): `Refresh`
 * applies its changes as one batch and answers ACK (held now, applied or already) or NACK with the
 * reason, per change, in order; `Validate` answers the same about a change not written yet (no
 * published check) and changes nothing; `State` answers what the instance holds, and which keys are held back.
 */
export function createRefreshHandlers(deps: RefreshHandlerDeps): RefreshCallHandlers {
  return {
    refresh(request: RefreshRequest): Promise<RefreshResponse> {
      deps.onRefresh();
      return answer(request, deps, (candidates) => deps.apply(candidates), deps.onMalformed);
    },

    validate(request: RefreshRequest): Promise<RefreshResponse> {
      deps.onValidate();
      // Nothing is reported either: a malformed change is only answered. No published check: a
      // pre-flight asks about a value before it is written, and a dry run makes nothing held.
      return answer(
        request,
        { instanceId: deps.instanceId },
        (candidates) => deps.validate(candidates),
        () => undefined,
      );
    },

    state(request: StateRequest): StateResponse {
      const state = deps.state();
      const prefix = request.prefix ?? "";
      return {
        instanceId: state.instanceId,
        parameters: state.parameters
          .filter((p) => p.name.startsWith(prefix))
          .map((p) => ({ name: p.name, version: p.version, modifiedAtMs: p.modifiedAt, appliedAtMs: p.appliedAt })),
        startedAtMs: state.startedAt,
        lastChangeAtMs: state.lastChangeAt,
        lastStreamId: state.lastStreamId,
        heldBack: state.heldBack
          .filter((p) => p.name.startsWith(prefix))
          .map(({ name, version, refusedVersion, detail }) => ({ name, version, refusedVersion, detail })),
      };
    },
  };
}

/**
 * The answer to a `Refresh` or `Validate` call: per change, in order; a change that cannot be read is
 * NACK MALFORMED, one the published check refuses is decided NOT_PUBLISHED by the store.
 */
async function answer(
  request: RefreshRequest,
  deps: Pick<RefreshHandlerDeps, "instanceId" | "verify">,
  run: (candidates: readonly CandidateChange[]) => Promise<readonly ChangeResult[]>,
  onMalformed: (name: string, detail: string) => void,
): Promise<RefreshResponse> {
  const answers: (ParameterResult | undefined)[] = [];
  const candidates: CandidateChange[] = [];
  const claims: ClaimedChange[] = [];
  const slots: number[] = [];
  const sentAt = request.sentAtMs > 0 && request.sentAtMs <= MAX_TIME_MS ? { publishedAt: request.sentAtMs } : {};
  (request.changes ?? []).forEach((wire, index) => {
    const parsed = parseWireChange(wire);
    if (!parsed.ok) {
      const name = typeof wire?.name === "string" ? wire.name : "";
      onMalformed(name, parsed.detail);
      answers[index] = { name, outcome: "NACK", version: 0, reason: "MALFORMED", detail: parsed.detail };
      return;
    }
    slots.push(index);
    claims.push({ change: parsed.change, ...(parsed.streamId !== undefined ? { streamId: parsed.streamId } : {}) });
    candidates.push({ change: parsed.change, via: "rpc", ...sentAt });
  });
  const verdicts = deps.verify && claims.length > 0 ? await deps.verify(claims) : [];
  const checked = candidates.map((candidate, i): CandidateChange => {
    const verdict = verdicts[i];
    return verdict && !verdict.published ? { ...candidate, unpublished: verdict.detail } : candidate;
  });
  const results = checked.length > 0 ? await run(checked) : [];
  results.forEach((result, i) => {
    answers[slots[i] as number] = toParameterResult(result);
  });
  return { instanceId: deps.instanceId, results: answers as ParameterResult[], appliedAtMs: Date.now() };
}

/** A change result as the RPC answers it. */
export function toParameterResult(result: ChangeResult): ParameterResult {
  const name = result.candidate.change.name;
  if (result.status === "refused")
    return { name, outcome: "NACK", version: result.version, reason: result.reason, detail: result.detail };
  // A deletion leaves nothing held: version 0, as the proto says.
  return { name, outcome: "ACK", version: result.candidate.change.operation === "Delete" ? 0 : result.version };
}
