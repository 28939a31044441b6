import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { ChangeEventRelayError } from "../errors";
import { parameterChangeEventEntry, type ParameterChangeNotice } from "./parameterChangeEvent";

/** PutEvents takes at most 10 entries a call. */
const PUT_EVENTS_BATCH = 10;

/**
 * Stands in for Parameter Store's own change events, which emulators do not emit: after a write,
 * it sends the real "Parameter Store Change" event shape to EventBridge with `PutEvents`, and
 * EventBridge routes it through the component's rule like the real one.
 *
 * **Local only.** moto and LocalStack accept `aws.ssm` as the source of a caller's event; real
 * EventBridge refuses every `aws.*` source from callers (and needs no relay: Parameter Store emits
 * the event itself).
 *
 * @example
 * ```ts
 * const relay = new ChangeEventRelay(eventBridge);
 * const [eventId] = await relay.emit([{ operation: "Update", name: "/shop/beta/log_level", type: "String", arn }]);
 * ```
 */
export class ChangeEventRelay {
  /** Parameter ARNs already looked up: a name's ARN never changes. */
  private readonly arns = new Map<string, string>();

  public constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly eventBusName?: string,
  ) {}

  /** Records the ARN of `name` (read with the parameter elsewhere), so no write of it looks it up again. */
  public rememberArn(name: string, arn: string): void {
    if (arn) this.arns.set(name, arn);
  }

  /** The ARN of `name` (the event's resource): `lookup` runs on the first write of a name only. */
  public async parameterArn(name: string, lookup: () => Promise<string>): Promise<string> {
    let arn = this.arns.get(name);
    if (arn === undefined) {
      arn = await lookup();
      if (arn) this.arns.set(name, arn);
    }
    return arn;
  }

  /**
   * Sends one event per notice, in order; returns the event ids.
   *
   * @throws {@link ChangeEventRelayError} when EventBridge refuses an entry (the message says which and why).
   */
  public async emit(notices: readonly ParameterChangeNotice[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < notices.length; i += PUT_EVENTS_BATCH) {
      const batch = notices.slice(i, i + PUT_EVENTS_BATCH);
      const answer = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: batch.map((notice) => ({
            ...parameterChangeEventEntry(notice),
            ...(this.eventBusName ? { EventBusName: this.eventBusName } : {}),
          })),
        }),
      );
      const entries = answer.Entries ?? [];
      entries.forEach((entry, index) => {
        if (!entry.EventId) {
          const refused =
            entry.ErrorCode === "AccessDeniedException" || /aws\./i.test(entry.ErrorMessage ?? "")
              ? " (real EventBridge refuses aws.* sources from callers: the relay only works against an emulator)"
              : "";
          throw new ChangeEventRelayError(
            (
              `EventBridge refused the change event of ${batch[index]?.name}: ` +
              `${entry.ErrorCode ?? "error"} ${entry.ErrorMessage ?? ""}${refused}`
            ).trim(),
          );
        }
        ids.push(entry.EventId);
      });
      if (entries.length !== batch.length)
        throw new ChangeEventRelayError(
          `EventBridge answered ${entries.length} results for ${batch.length} change events`,
        );
    }
    return ids;
  }
}
