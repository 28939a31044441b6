import type { RevertWrite } from "../../lambda/revert";
import type { ChangeEventRelay } from "./changeEventRelay";

/**
 * The change event of a revert the refresh function wrote, as Parameter Store would emit it, so the
 * revert reaches the fleet through the rule like every other write. The one place to drop once the
 * local endpoint emits an event for every write itself.
 */
export function relayRevertWrites(relay: () => ChangeEventRelay | undefined): (write: RevertWrite) => Promise<void> {
  return async ({ name, type, description }) => {
    const target = relay();
    if (!target) return;
    const arn = await target.parameterArn(name, async () => "");
    await target.emit([{ operation: "Update", name, type, arn, description }]);
  };
}
