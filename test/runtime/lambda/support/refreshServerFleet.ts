import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";

/** A request to a worker (see `refreshServerWorker.ts`). */
export type WorkerRequest = { op: "start"; instanceIds: string[]; token: string } | { op: "calls" } | { op: "stop" };

/** A worker's answer. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

interface Worker {
  child: ChildProcess;
  pending: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
  instanceIds: string[];
}

/**
 * Refresh servers of many instances spread over a few worker processes (as the bench's floor is),
 * so the test process holds only the function's side of the connections. Each server answers as
 * the instance id it was started for; a worker can be killed with SIGKILL.
 *
 * @example
 * ```ts
 * const fleet = RefreshServerFleet.start(3);
 * const ports = await fleet.startServers(["i-0", "i-1"], token); // Map id → port
 * await fleet.kill("i-1");
 * ```
 */
export class RefreshServerFleet {
  private nextId = 1;

  private constructor(private readonly workers: Worker[]) {}

  public static start(processes: number): RefreshServerFleet {
    const script = path.join(__dirname, "refreshServerWorker.ts");
    return new RefreshServerFleet(
      Array.from({ length: processes }, () => {
        const child = fork(script, [], {
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        const worker: Worker = { child, pending: new Map(), instanceIds: [] };
        child.on("message", (reply: WorkerReply) => {
          const waiter = worker.pending.get(reply.id);
          worker.pending.delete(reply.id);
          if (reply.ok) waiter?.resolve(reply.result);
          else waiter?.reject(new Error(`refresh server worker ${child.pid}: ${reply.error}`));
        });
        child.on("exit", () => {
          for (const waiter of worker.pending.values())
            waiter.reject(new Error(`refresh server worker ${child.pid} exited`));
          worker.pending.clear();
        });
        return worker;
      }),
    );
  }

  /** Starts one server per id, spread evenly over the workers; resolves with id → port. */
  public async startServers(instanceIds: readonly string[], token: string): Promise<Map<string, number>> {
    const shares = this.workers.map((_, w) => instanceIds.filter((_, i) => i % this.workers.length === w));
    const ports = new Map<string, number>();
    await Promise.all(
      this.workers.map(async (worker, w) => {
        const ids = shares[w]!;
        if (ids.length === 0) return;
        const started = (await this.request(worker, { op: "start", instanceIds: ids, token })) as number[];
        worker.instanceIds.push(...ids);
        ids.forEach((id, i) => {
          ports.set(id, started[i]!);
        });
      }),
    );
    return ports;
  }

  /** Calls accepted, by instance id, over every worker still running. */
  public async calls(): Promise<Map<string, number>> {
    const running = this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const counts = await Promise.all(
      running.map((w) => this.request(w, { op: "calls" }) as Promise<Record<string, number>>),
    );
    return new Map(counts.flatMap((c) => Object.entries(c)));
  }

  /** Kills (SIGKILL) the worker that hosts `instanceId`, and every server it hosts with it. */
  public async kill(instanceId: string): Promise<string[]> {
    const worker = this.workers.find((w) => w.instanceIds.includes(instanceId));
    if (!worker) throw new Error(`no worker hosts ${instanceId}`);
    const exited = new Promise<void>((resolve) => worker.child.once("exit", () => resolve()));
    worker.child.kill("SIGKILL");
    await exited;
    return worker.instanceIds;
  }

  /** Stops every worker still running. */
  public async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        const { child } = worker;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.disconnect();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private request(worker: Worker, request: WorkerRequest): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!worker.child.connected) return reject(new Error(`refresh server worker ${worker.child.pid} is not running`));
      worker.pending.set(id, { resolve, reject });
      worker.child.send({ ...request, id });
    });
  }
}
