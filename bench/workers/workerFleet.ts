import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type {
  FleetClientSettings,
  FleetEnvelope,
  FleetRequest,
  FleetResponse,
  StartedClients,
  WorkerCounters,
} from "./fleetProtocol";

/** How long a worker may take to close its clients before it is killed. */
const STOP_GRACE_MS = 10_000;

interface Worker {
  child: ChildProcess;
  pending: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
  clients: number;
  readers: number;
  servers: number;
}

/**
 * The parent's side of the fleet: a few worker processes (`fleetWorker.ts`), each hosting a share
 * of the ConfigClients and of the floors' bare readers and servers. Sizes only grow (a fleet of
 * 100 is the fleet of 50 plus 50), spread evenly over the workers.
 */
export class WorkerFleet {
  private nextId = 1;
  private nextIndex = 0;

  private constructor(private readonly workers: Worker[]) {}

  /**
   * Forks `count` workers (through tsx, as the bench itself runs). With `cpuProfileDir`, each
   * worker writes a V8 CPU profile there when it exits (`--cpu-prof`).
   */
  public static start(count: number, cpuProfileDir?: string): WorkerFleet {
    const script = path.join(__dirname, "fleetWorker.ts");
    const execArgv = ["--import", "tsx", ...(cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfileDir] : [])];
    const workers: Worker[] = [];
    for (let i = 0; i < count; i++) {
      const child = fork(script, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const worker: Worker = { child, pending: new Map(), clients: 0, readers: 0, servers: 0 };
      child.on("message", (message: FleetResponse) => {
        const waiter = worker.pending.get(message.id);
        if (!waiter) return;
        worker.pending.delete(message.id);
        if (message.ok) waiter.resolve(message.result);
        else waiter.reject(new Error(`fleet worker ${child.pid}: ${message.error}`));
      });
      child.on("exit", (code, signal) => {
        for (const waiter of worker.pending.values())
          waiter.reject(new Error(`fleet worker ${child.pid} exited (${signal ?? code})`));
        worker.pending.clear();
      });
      workers.push(worker);
    }
    return new WorkerFleet(workers);
  }

  /** Number of worker processes. */
  public get processes(): number {
    return this.workers.length;
  }

  /** PIDs of the workers. */
  public get pids(): number[] {
    return this.workers.flatMap((w) => (w.child.pid ? [w.child.pid] : []));
  }

  /** ConfigClients running, over all workers. */
  public get clients(): number {
    return this.workers.reduce((sum, w) => sum + w.clients, 0);
  }

  /** Workers that host at least one client (a fleet of 1 lives in one process). */
  public get processesWithClients(): number {
    return this.workers.filter((w) => w.clients > 0).length;
  }

  /**
   * Grows the fleet to `total` ConfigClients, `concurrency` starting at once in each worker (default
   * the worker's own). Returns each new client's start time, ms.
   */
  public async growClients(total: number, settings: FleetClientSettings, concurrency?: number): Promise<number[]> {
    const shares = this.shares(total, (w) => w.clients);
    const started = await Promise.all(
      shares.map(async (add, i) => {
        if (add === 0) return [];
        const worker = this.workers[i]!;
        const firstIndex = this.nextIndex;
        this.nextIndex += add;
        const result = (await this.request(worker, {
          op: "startClients",
          count: add,
          firstIndex,
          settings,
          ...(concurrency !== undefined ? { concurrency } : {}),
        })) as StartedClients;
        worker.clients += add;
        return result.startMs;
      }),
    );
    return started.flat();
  }

  /** Grows the bare XREAD readers to `total`. */
  public async growReaders(total: number, redisUrl: string, streamKey: string): Promise<void> {
    const shares = this.shares(total, (w) => w.readers);
    await Promise.all(
      shares.map(async (add, i) => {
        if (add === 0) return;
        const worker = this.workers[i]!;
        await this.request(worker, { op: "startReaders", count: add, redisUrl, streamKey });
        worker.readers += add;
      }),
    );
  }

  /** Grows the bare gRPC servers to `total`; returns the new servers' ports. */
  public async growServers(total: number): Promise<number[]> {
    const shares = this.shares(total, (w) => w.servers);
    const ports = await Promise.all(
      shares.map(async (add, i) => {
        if (add === 0) return [];
        const worker = this.workers[i]!;
        const result = (await this.request(worker, { op: "startServers", count: add })) as number[];
        worker.servers += add;
        return result;
      }),
    );
    return ports.flat();
  }

  /** Sends `request` to every worker that hosts something `has` counts; resolves with the answers. */
  public async ask<T>(
    request: FleetRequest,
    has: (w: { clients: number; readers: number; servers: number }) => number = () => 1,
  ): Promise<T[]> {
    return (await Promise.all(this.workers.filter((w) => has(w) > 0).map((w) => this.request(w, request)))) as T[];
  }

  /** Counters of every worker. */
  public counters(): Promise<WorkerCounters[]> {
    return this.ask<WorkerCounters>({ op: "counters" });
  }

  /** Stops every worker (clients close and deregister); kills any that does not exit in time. */
  public async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        const { child } = worker;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        this.request(worker, { op: "stop" }).catch(() => undefined);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private request(worker: Worker, request: FleetRequest): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!worker.child.connected) return reject(new Error(`fleet worker ${worker.child.pid} is not running`));
      worker.pending.set(id, { resolve, reject });
      worker.child.send({ ...request, id } as FleetEnvelope);
    });
  }

  /** How many to add to each worker so that the total is `total`, spread evenly. */
  private shares(total: number, count: (w: Worker) => number): number[] {
    const current = this.workers.map(count);
    const add = this.workers.map(() => 0);
    let missing = total - current.reduce((a, b) => a + b, 0);
    while (missing > 0) {
      let smallest = 0;
      for (let i = 1; i < current.length; i++)
        if (current[i]! + add[i]! < current[smallest]! + add[smallest]!) smallest = i;
      add[smallest]! += 1;
      missing -= 1;
    }
    return add;
  }
}
