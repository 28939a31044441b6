import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP endpoint in front of moto that answers the next `throttle(n)` calls of one SSM operation
 * as SSM does when its quota is spent (HTTP 400, `ThrottlingException`, "Rate exceeded"), and passes
 * every other request to moto unchanged. moto never throttles; this is the fault, moto stays the API.
 */
export class ThrottlingEndpoint {
  /** Calls of the operation seen, throttled or passed. */
  public calls = 0;
  /** Calls answered with the throttling error. */
  public throttled = 0;
  private remaining = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly upstream: URL,
    private readonly operation: string,
  ) {}

  /** Listens on 127.0.0.1 in front of `motoEndpoint`, throttling `operation` (e.g. `GetParametersByPath`). */
  public static async start(motoEndpoint: string, operation: string): Promise<ThrottlingEndpoint> {
    const server = http.createServer();
    const endpoint = new ThrottlingEndpoint(server, new URL(motoEndpoint), operation);
    server.on("request", (request, response) => endpoint.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return endpoint;
  }

  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Throttles the next `count` calls of the operation. */
  public throttle(count: number): void {
    this.remaining = count;
  }

  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (request.headers["x-amz-target"] === `AmazonSSM.${this.operation}`) {
      this.calls++;
      if (this.remaining > 0) {
        this.remaining--;
        this.throttled++;
        request.resume();
        request.on("end", () => {
          response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
          response.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
        });
        return;
      }
    }
    const upstream = http.request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => response.destroy(error));
    request.pipe(upstream);
  }
}
