import { SSMClient } from "@aws-sdk/client-ssm";
import { StandInParameters, type StandInContent } from "../scale/ssmStandIn";

/** Calls at most recorded by one stand-in (a bound far above any scenario's count). */
const MAX_CALLS = 5_000_000;

/**
 * The simulation's SSM: a real `SSMClient` (so the SDK's paginator, which accepts only an
 * `SSMClient`, drives the runtime's real `loadParameters`) whose first middleware answers every
 * command from {@link StandInParameters} in memory, without a socket, and records when each call
 * was made on the simulated clock. What the fleet bench counts is what SSM would receive.
 */
export class CountingSsm {
  /** Simulated ms of every call, by operation. */
  public readonly calls = new Map<string, number[]>();
  public readonly client: SSMClient;
  public readonly content: StandInParameters;

  public constructor(content: StandInContent, now: () => number) {
    this.content = new StandInParameters(content);
    this.client = new SSMClient({
      region: "us-east-1",
      credentials: { accessKeyId: "simulated", secretAccessKey: "simulated" },
    });
    this.client.middlewareStack.add(
      (_next: unknown, context: { commandName?: string }) => async (args: { input: object }) => {
        const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
        let times = this.calls.get(operation);
        if (!times) {
          times = [];
          this.calls.set(operation, times);
        }
        if (times.length >= MAX_CALLS) throw new Error(`more than ${MAX_CALLS} ${operation} calls simulated`);
        times.push(now());
        const { status, body } = this.content.answer(operation, args.input as Record<string, unknown>);
        if (status !== 200) throw Object.assign(new Error(String(body.message)), { name: String(body.__type) });
        return { output: toOutput(body) as never, response: {} };
      },
      { step: "initialize", name: "simulatedSsm", priority: "high" },
    );
  }

  /** Every call's simulated ms, all operations, sorted. */
  public times(): number[] {
    return [...this.calls.values()].flat().sort((a, b) => a - b);
  }

  public destroy(): void {
    this.client.destroy();
  }
}

/** The wire body as the SDK would deserialize it (`LastModifiedDate` as a `Date`). */
function toOutput(body: Record<string, unknown>): Record<string, unknown> {
  const date = (p: Record<string, unknown>): Record<string, unknown> => ({
    ...p,
    LastModifiedDate: new Date(Number(p.LastModifiedDate) * 1000),
  });
  if (Array.isArray(body.Parameters)) return { ...body, Parameters: body.Parameters.map(date) };
  if (body.Parameter) return { ...body, Parameter: date(body.Parameter as Record<string, unknown>) };
  return body;
}
