import { strict as assert } from "node:assert";
import { ClientCounters } from "../../../runtime/client/observability/clientCounters";
import { ClientEvents } from "../../../runtime/client/observability/clientEvents";
import type { ClientLogger, ClientMetrics } from "../../../runtime/client/types";

const QUIET: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe("a client event", () => {
  it("counts itself before the onEvent listeners hear of it", () => {
    const counters = new ClientCounters();
    const events = new ClientEvents(QUIET, "i-1", counters);
    const seen: ClientMetrics[] = [];
    events.add(() => seen.push(counters.snapshot()));
    events.emit({ type: "reload", reason: "trimmed", applied: 0, rejected: 0 });
    events.emit({ type: "rejected", via: "stream", name: "/a/b", version: 2, reason: "FETCH_FAILED", detail: "x" });
    events.emit({ type: "ack-failed", error: new Error("down"), count: 3 });
    events.emit({ type: "stream-reset", reason: "trimmed", lastStreamId: "1-0" });
    assert.deepEqual(
      seen.map((m) => [m.reloads, m.trimmedReloads, m.fetchFailures, m.rejected, m.ackFailures]),
      [
        [1, 1, 0, 0, 0],
        [1, 1, 1, 0, 0],
        [1, 1, 1, 0, 3],
        [1, 1, 1, 0, 3],
      ],
    );
  });
});
