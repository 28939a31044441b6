/**
 * A child process of the Lambda tests hosting many refresh servers of `refresh.proto` (the real
 * `startRefreshServer`, token checked), each answering ACK as the instance id it was started for
 * and counting the calls it accepted. Driven over IPC by `RefreshServerFleet`; exits when the
 * parent goes away, so a test may SIGKILL it as an OOM kill would.
 */
import { startRefreshServer, type RefreshResponse, type RunningRefreshServer } from "../../../../runtime/protocol";
import type { WorkerReply, WorkerRequest } from "./refreshServerFleet";

const servers: RunningRefreshServer[] = [];
const calls = new Map<string, number>();

async function start(instanceIds: readonly string[], token: string): Promise<number[]> {
  const ports: number[] = [];
  for (const instanceId of instanceIds) {
    calls.set(instanceId, 0);
    const server = await startRefreshServer(
      { tokens: [token], host: "127.0.0.1" },
      {
        refresh: (request): RefreshResponse => {
          calls.set(instanceId, (calls.get(instanceId) ?? 0) + 1);
          const results = request.changes.map((change) => ({
            name: change.name,
            outcome: "ACK" as const,
            version: change.version,
          }));
          return { instanceId, results, appliedAtMs: Date.now() };
        },
        state: () => ({ instanceId, parameters: [], startedAtMs: 0, lastChangeAtMs: 0, lastStreamId: "" }),
      },
    );
    servers.push(server);
    ports.push(server.port);
  }
  return ports;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "start":
      return start(request.instanceIds, request.token);
    case "calls":
      return Object.fromEntries(calls);
    case "stop":
      return Promise.all(servers.map((server) => server.stop(0))).then(() => null);
  }
}

process.on("message", (message: WorkerRequest & { id: number }) => {
  void handle(message)
    .then(
      (result): WorkerReply => ({ id: message.id, ok: true, result }),
      (error: unknown): WorkerReply => ({ id: message.id, ok: false, error: String(error) }),
    )
    .then((reply) => process.send?.(reply));
});
process.on("disconnect", () => process.exit(0));
