import { createServer, type Server, type Socket } from "node:net";
import {
  startRefreshServer,
  type ParameterResult,
  type RefreshRequest,
  type RefreshResponse,
  type RunningRefreshServer,
} from "../../../../runtime/protocol";

/** A refresh server on 127.0.0.1 that records the calls it accepted and answers as told. */
export interface TestInstance {
  instanceId: string;
  port: number;
  address: string;
  /** The calls whose token was accepted (the handler ran). */
  calls: RefreshRequest[];
  /** Calls refused UNAUTHENTICATED. */
  refused: number;
  stop(): Promise<void>;
}

/** How a test instance answers each change: ACK by default. */
export type Answer = (change: RefreshRequest["changes"][number]) => Omit<ParameterResult, "name">;

export const ackAll: Answer = (change) => ({ outcome: "ACK", version: change.version });

/** Starts a refresh server that accepts `tokens` (read on every call: mutate the array to rotate). */
export async function startTestInstance(
  instanceId: string,
  tokens: string[],
  answer: Answer = ackAll,
): Promise<TestInstance> {
  const calls: RefreshRequest[] = [];
  let refused = 0;
  const server: RunningRefreshServer = await startRefreshServer(
    {
      tokens: () => tokens,
      host: "127.0.0.1",
      onUnauthenticated: () => {
        refused += 1;
      },
    },
    {
      refresh: (request): RefreshResponse => {
        calls.push(request);
        return {
          instanceId,
          appliedAtMs: Date.now(),
          results: request.changes.map((change) => ({ name: change.name, ...answer(change) })),
        };
      },
      state: () => ({ instanceId, parameters: [], startedAtMs: 0, lastChangeAtMs: 0, lastStreamId: "" }),
    },
  );
  return {
    instanceId,
    port: server.port,
    address: `127.0.0.1:${server.port}`,
    calls,
    get refused() {
      return refused;
    },
    stop: () => server.stop(200),
  };
}

/** A TCP server that accepts connections and never answers a byte (a hung process). */
export async function startHangingServer(): Promise<{
  port: number;
  connections: () => number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
