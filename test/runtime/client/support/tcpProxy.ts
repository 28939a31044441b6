import { createServer, connect, type Server, type Socket } from "node:net";

/** One relayed connection: the client's side and the server's. */
interface Relay {
  inbound: Socket;
  outbound: Socket;
}

/**
 * A TCP relay on 127.0.0.1 between a client and a server: `cut()` drops every connection and
 * refuses new ones (the client's network is down while the server stays up), `restore()` lets
 * them through again; `pause()` stops forwarding while every socket stays open and new ones are
 * accepted (a silent cut: no FIN, no RST, nothing answers), `resume()` forwards again what waited;
 * `retarget()` sends new connections to another server (a failover behind one endpoint). Network
 * fault injection, not a fake: the bytes go to the real server. Bounded: a paused relay reads
 * nothing, so what waits stays in the kernel's socket buffers.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly relays = new Set<Relay>();
  private down = false;
  private paused = false;
  /** Connections accepted so far. */
  public accepted = 0;

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

  /** Stops forwarding in both directions; sockets stay open and new connections are accepted, held. */
  public pause(): void {
    this.paused = true;
    for (const { inbound, outbound } of this.relays) {
      inbound.unpipe(outbound);
      outbound.unpipe(inbound);
      inbound.pause();
      outbound.pause();
    }
  }

  /** Forwards again, starting with what waited while paused. */
  public resume(): void {
    this.paused = false;
    for (const relay of this.relays) forward(relay);
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
    this.accepted++;
    const outbound = connect(this.targetPort, "127.0.0.1");
    const relay = { inbound, outbound };
    this.relays.add(relay);
    for (const socket of [inbound, outbound]) {
      this.sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.sockets.delete(socket);
        this.relays.delete(relay);
        inbound.destroy();
        outbound.destroy();
      });
    }
    if (this.paused) {
      inbound.pause();
      outbound.pause();
    } else forward(relay);
  }
}

function forward({ inbound, outbound }: Relay): void {
  inbound.pipe(outbound);
  outbound.pipe(inbound);
}
