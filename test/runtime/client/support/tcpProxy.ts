import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP relay on 127.0.0.1 between a client and a server: `cut()` drops every connection and
 * refuses new ones (the client's network is down while the server stays up), `restore()` lets
 * them through again; `retarget()` sends new connections to another server (a failover behind one
 * endpoint). Network fault injection, not a fake: the bytes go to the real server.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;

  private constructor(
    private readonly server: Server,
    public readonly port: number,
    private targetPort: number,
  ) {}

  public static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((inbound) => proxy?.accept(inbound));
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    proxy = new TcpProxy(server, port, targetPort);
    return proxy;
  }

  /** Sends the connections made from now on to `targetPort` (open ones stay where they are: cut them). */
  public retarget(targetPort: number): void {
    this.targetPort = targetPort;
  }

  /** `redis://127.0.0.1:<port>`. */
  public get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection and refuses new ones until {@link restore}. */
  public cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  public restore(): void {
    this.down = false;
  }

  public async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: Socket): void {
    if (this.down) {
      inbound.destroy();
      return;
    }
    const outbound = connect(this.targetPort, "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      this.sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.sockets.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}
