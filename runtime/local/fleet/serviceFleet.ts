import { createInterface } from "node:readline";
import { awsProcessEnvironment, type AwsConnection } from "../../operator/aws/awsConnection";
import { InstanceStartError } from "../errors";
import { spawnServer, type ChildServer } from "../servers/childServer";
import { exampleServiceCommand, type ServiceCommand } from "./serviceEntry";

/** Options of {@link ServiceFleet}. */
export interface ServiceFleetOptions {
  /** The parameter path every instance loads, `/<app>/<env>/`. */
  prefix: string;
  redisUrl: string;
  streamKey: string;
  /** Cloud Map service id the instances register in. */
  serviceId: string;
  /** The refresh token the instances accept on their gRPC endpoint. */
  refreshToken: string;
  connection: AwsConnection;
  /** Instance ids are `<idPrefix>-1`, `<idPrefix>-2`, ... */
  idPrefix: string;
  /** How long an instance may take to print its ready line (default 60 s: a cold `tsx` on a busy machine is slow). */
  startTimeoutMs?: number;
  /** Override of the process to start (default: the example service). */
  command?: ServiceCommand;
}

/** A running instance. */
export interface FleetInstance {
  instanceId: string;
  pid: number;
  httpPort: number;
  refreshPort: number;
  /** `127.0.0.1:<refreshPort>`, as registered in Cloud Map. */
  refreshAddress: string;
}

/** The ready line of `examples/service` (its README's contract with the demo). */
interface ReadyLine {
  event: "ready";
  instanceId: string;
  pid: number;
  httpPort: number;
  refreshPort: number | null;
}

/**
 * Supervises example-service processes: each embeds the client, loads the prefix from SSM, reads
 * the stream, serves `Refresh`/`State` on 127.0.0.1 and registers itself in Cloud Map. An instance
 * counts as started when it prints its ready line; one that exits first, or stays silent past the
 * time-out, fails the start with its last output. `stopAll()` sends SIGTERM (the service marks
 * itself unhealthy, deregisters and exits 0), then SIGKILL after a grace period; the processes are
 * also killed if this process exits.
 *
 * @example
 * ```ts
 * const fleet = new ServiceFleet({
 *   prefix,
 *   redisUrl,
 *   streamKey,
 *   serviceId,
 *   refreshToken,
 *   connection,
 *   idPrefix: "shop",
 * });
 * await fleet.start(3, (instance) => console.log(`${instance.instanceId} ready`));
 * await fleet.stopAll();
 * ```
 */
export class ServiceFleet {
  private readonly running = new Map<string, { instance: FleetInstance; server: ChildServer }>();
  private readonly starting = new Set<ChildServer>();
  private next = 1;

  public constructor(private readonly options: ServiceFleetOptions) {}

  /** The running instances, in start order. */
  public get instances(): FleetInstance[] {
    return [...this.running.values()].map(({ instance }) => instance);
  }

  /** PIDs of every process this fleet started and has not seen exit (starting ones included). */
  public pids(): number[] {
    return [...[...this.running.values()].map(({ server }) => server), ...this.starting]
      .filter((server) => server.process.exitCode === null && server.process.signalCode === null)
      .map((server) => server.process.pid ?? 0)
      .filter((pid) => pid > 0);
  }

  /**
   * Starts `count` instances in parallel; `onReady` is called as each one prints its ready line.
   * When one fails, the others of this call are stopped and the error names the failed one.
   */
  public async start(count: number, onReady?: (instance: FleetInstance) => void): Promise<FleetInstance[]> {
    const ids = Array.from({ length: count }, () => `${this.options.idPrefix}-${this.next++}`);
    const results = await Promise.allSettled(
      ids.map(async (id) => {
        const instance = await this.startInstance(id);
        onReady?.(instance);
        return instance;
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) {
      await Promise.all(ids.map((id) => this.stopInstance(id)));
      throw failed.reason;
    }
    return results.map((result) => (result as PromiseFulfilledResult<FleetInstance>).value);
  }

  /** Starts one instance with this id and waits for its ready line. */
  public async startInstance(instanceId: string): Promise<FleetInstance> {
    const command = this.options.command ?? exampleServiceCommand();
    const o = this.options;
    const server = spawnServer(
      command.command,
      [
        ...command.args,
        "--parameter-path",
        o.prefix,
        "--redis-url",
        o.redisUrl,
        "--stream-key",
        o.streamKey,
        "--http-host",
        "127.0.0.1",
        "--http-port",
        "0",
        "--refresh-host",
        "127.0.0.1",
        "--refresh-port",
        "0",
        "--cloud-map-service-id",
        o.serviceId,
        "--instance-id",
        instanceId,
        "--instance-address",
        "127.0.0.1",
      ],
      {
        ...process.env,
        ...awsProcessEnvironment(o.connection),
        REFRESH_TOKEN: o.refreshToken,
        // No security group on one machine: each instance registers the free port it got.
        CONFIG_REFRESH_PORT: "any",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      { cwd: command.cwd },
    );
    this.starting.add(server);
    try {
      const ready = await readyLine(server, instanceId, o.startTimeoutMs ?? 60_000);
      const instance: FleetInstance = {
        instanceId,
        pid: ready.pid,
        httpPort: ready.httpPort,
        refreshPort: ready.refreshPort ?? 0,
        refreshAddress: `127.0.0.1:${ready.refreshPort ?? 0}`,
      };
      this.running.set(instanceId, { instance, server });
      return instance;
    } catch (error) {
      await server.stop(1_000);
      throw error;
    } finally {
      this.starting.delete(server);
    }
  }

  /** Stops one instance (SIGTERM: it deregisters from Cloud Map); resolves when it exited. */
  public async stopInstance(instanceId: string): Promise<void> {
    const entry = this.running.get(instanceId);
    if (!entry) return;
    this.running.delete(instanceId);
    await entry.server.stop(5_000);
  }

  /** Stops every instance, in parallel. */
  public async stopAll(): Promise<void> {
    const servers = [...[...this.running.values()].map(({ server }) => server), ...this.starting];
    this.running.clear();
    await Promise.all(servers.map((server) => server.stop(5_000)));
  }
}

/** Resolves with the ready line; rejects when the process exits first or stays silent past `timeoutMs`. */
function readyLine(server: ChildServer, instanceId: string, timeoutMs: number): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const stdout = server.process.stdout;
    if (!stdout) {
      reject(new InstanceStartError(instanceId, "its stdout is not piped", server.output()));
      return;
    }
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(
      () => finish(new InstanceStartError(instanceId, `no ready line within ${timeoutMs / 1000} s`, server.output())),
      timeoutMs,
    );
    const onExit = (code: number | null, signal: string | null): void => {
      finish(new InstanceStartError(instanceId, `it exited (${code ?? signal}) before it was ready`, server.output()));
    };
    const finish = (outcome: ReadyLine | Error): void => {
      clearTimeout(timer);
      server.process.off("exit", onExit);
      lines.close();
      // Closing the reader pauses stdout; keep it flowing so the process can never block on a full pipe.
      server.process.stdout?.resume();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    server.process.once("exit", onExit);
    lines.once("line", (line) => {
      try {
        const parsed = JSON.parse(line) as ReadyLine;
        if (parsed.event !== "ready" || !parsed.refreshPort) throw new Error("not a ready line with a refresh port");
        finish(parsed);
      } catch (error) {
        finish(
          new InstanceStartError(
            instanceId,
            `its first stdout line is not the ready line (${(error as Error).message}): ${line.slice(0, 200)}`,
            server.output(),
          ),
        );
      }
    });
  });
}
