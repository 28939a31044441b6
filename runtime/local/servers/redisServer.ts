import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { spawnServer, waitUntil, type ChildServer } from "./childServer";
import { freePort } from "./freePort";
import { requireTool } from "./missingTool";

/**
 * A `redis-server` of its own on a free loopback port, in a temporary directory: the local
 * pipeline's stream host, and what tests stop, restart and flush (never the shared one on 6379).
 *
 * @example
 * ```ts
 * const redis = await LocalRedisServer.start();
 * await redis.restart({ keepData: false }); // as if ElastiCache came back empty
 * await redis.stop();
 *
 * const guarded = await LocalRedisServer.start(undefined, { password: "p#ss" }); // AUTH, as ElastiCache's token
 * ```
 */
export class LocalRedisServer {
  private server: ChildServer | undefined;

  private constructor(
    public readonly port: number,
    private readonly dir: string,
    /** The AUTH password the server requires (`--requirepass`), if any. */
    public readonly password?: string,
    /** Connections it accepts (`--maxclients`; Redis's default 10,000 when unset). */
    private readonly maxClients?: number,
  ) {}

  /** Starts a server; fails with an install hint when `redis-server` is not on PATH. */
  public static async start(
    port?: number,
    options: { password?: string; maxClients?: number } = {},
  ): Promise<LocalRedisServer> {
    requireTool("redis-server");
    const dir = mkdtempSync(path.join(tmpdir(), "crp-redis-"));
    const redis = new LocalRedisServer(port ?? (await freePort()), dir, options.password, options.maxClients);
    await redis.launch();
    return redis;
  }

  /** `redis://127.0.0.1:<port>` (without the password). */
  public get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** PID of the `redis-server` process while it runs. */
  public get pid(): number | undefined {
    return this.server?.process.pid;
  }

  /** True while the process runs. */
  public get running(): boolean {
    return (
      this.server !== undefined && this.server.process.exitCode === null && this.server.process.signalCode === null
    );
  }

  /**
   * Stops the server. With `save`, it writes a snapshot as it shuts down (`SHUTDOWN SAVE`: nothing
   * written before the call is lost), so a later {@link launch} comes back with its data, as a Redis
   * with persistence would; otherwise the data is gone.
   */
  public async stop(options: { save?: boolean } = {}): Promise<void> {
    const server = this.server;
    if (!server) return;
    if (server.process.exitCode === null && server.process.signalCode === null) {
      const exited = new Promise<void>((resolve) => server.process.once("exit", () => resolve()));
      this.send(options.save ? "SHUTDOWN SAVE" : "SHUTDOWN NOSAVE");
      // SIGTERM, then SIGKILL, only if the shutdown did not end the process in time.
      const timer = setTimeout(() => void server.stop(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.server = undefined;
    if (!options.save) rmSync(path.join(this.dir, "dump.rdb"), { force: true });
  }

  /** Kills the process (SIGKILL) as a crash would: no snapshot is written, an earlier one stays. */
  public async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.resume();
    if (server.process.exitCode === null && server.process.signalCode === null) {
      const exited = new Promise<void>((resolve) => server.process.once("exit", () => resolve()));
      server.process.kill("SIGKILL");
      await exited;
    }
    this.server = undefined;
  }

  /** Stops and starts again on the same port, with or without the data. */
  public async restart(options: { keepData: boolean }): Promise<void> {
    await this.stop({ save: options.keepData });
    await this.launch();
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  public pause(): void {
    this.server?.process.kill("SIGSTOP");
  }

  /** Resumes a paused process (SIGCONT). */
  public resume(): void {
    this.server?.process.kill("SIGCONT");
  }

  /** Stops the server and removes its directory. */
  public async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts the process on this server's port and directory and waits until it answers PING. */
  public async launch(): Promise<void> {
    // A process that died outside this API (killed, crashed) is gone: start a new one.
    if (this.server && (this.server.process.exitCode !== null || this.server.process.signalCode !== null))
      this.server = undefined;
    if (this.server) return;
    this.server = spawnServer("redis-server", [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      this.dir,
      "--dbfilename",
      "dump.rdb",
      "--protected-mode",
      "yes",
      ...(this.password !== undefined ? ["--requirepass", this.password] : []),
      ...(this.maxClients !== undefined ? ["--maxclients", String(this.maxClients)] : []),
    ]);
    const server = this.server;
    await waitUntil(
      `redis-server on port ${this.port}`,
      async () => {
        if (server.process.exitCode !== null) throw new Error(`redis-server exited: ${server.output()}`);
        return (await this.command("PING")) === "+PONG";
      },
      10_000,
      50,
    );
  }

  /** Sends one inline command on a fresh connection without waiting for a reply (SHUTDOWN sends none). */
  private send(command: string): void {
    const socket = connect(this.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.end(`${this.auth()}${command}\r\n`);
  }

  /** Sends one inline command on a fresh connection and returns the reply line of that command. */
  private command(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, "127.0.0.1");
      socket.setTimeout(5_000, () => socket.destroy(new Error(`redis ${command} timed out`)));
      socket.once("error", reject);
      let replies = "";
      const expected = this.password !== undefined ? 2 : 1;
      socket.on("data", (data) => {
        replies += data.toString("utf8");
        const lines = replies.split("\r\n");
        if (lines.length <= expected) return;
        socket.end();
        resolve(lines[expected - 1] ?? "");
      });
      socket.write(`${this.auth()}${command}\r\n`);
    });
  }

  /** The AUTH command (RESP, so any password travels as it is) that goes first when a password is set. */
  private auth(): string {
    if (this.password === undefined) return "";
    const password = Buffer.from(this.password, "utf8");
    return `*2\r\n$4\r\nAUTH\r\n$${password.length}\r\n${this.password}\r\n`;
  }
}
