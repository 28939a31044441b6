import { createServer, type Socket } from "node:net";

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers a byte: what a command sees
 * of a private address from outside its VPC, where nothing ever comes back.
 */
export class SilentServer {
  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly sockets: Set<Socket>,
    public readonly port: number,
  ) {}

  public static async start(): Promise<SilentServer> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    return new SilentServer(server, sockets, port);
  }

  /** `127.0.0.1:<port>`. */
  public get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Closes the server and every connection it holds. */
  public stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
