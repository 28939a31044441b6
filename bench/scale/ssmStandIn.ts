import { createServer, type Server } from "node:http";

/** One parameter the stand-in serves. */
interface StoredParameter {
  Name: string;
  Type: "String";
  Value: string;
  Version: number;
  LastModifiedDate: number;
  ARN: string;
  DataType: "text";
}

/**
 * A stand-in for SSM's `GetParametersByPath` only (JSON 1.1 protocol, pages of at most 10, an
 * offset as `NextToken`), serving `count` String parameters under `path` from memory. The scale
 * benchmark needs it because moto builds the whole list of the path for every page (a load of
 * 10,000 parameters is 1,000 pages × O(10,000) there, over a minute), which would measure moto
 * rather than the client. Every other operation answers 400.
 */
export class SsmStandIn {
  public calls = 0;

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
  ) {}

  /** Serves `count` parameters `<path>group_<g>/key_<i>` on a free loopback port. */
  public static async start(path: string, count: number): Promise<SsmStandIn> {
    const now = Date.now() / 1000;
    const parameters: StoredParameter[] = Array.from({ length: count }, (_, i) => {
      const name = `${path}group_${Math.floor(i / 50)}/key_${i}`;
      return {
        Name: name,
        Type: "String",
        Value: `value-${i}-${"x".repeat(24)}`,
        Version: 1,
        LastModifiedDate: now,
        ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name}`,
        DataType: "text",
      };
    });
    let standIn: SsmStandIn | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (standIn) standIn.calls += 1;
        const target = String(request.headers["x-amz-target"] ?? "");
        const reply = (status: number, body: unknown): void => {
          response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
          response.end(JSON.stringify(body));
        };
        if (target !== "AmazonSSM.GetParametersByPath")
          return reply(400, {
            __type: "UnknownOperationException",
            message: `the stand-in only serves GetParametersByPath, not ${target}`,
          });
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
          Path?: string;
          MaxResults?: number;
          NextToken?: string;
        };
        const under = input.Path === path ? parameters : [];
        const from = Number(input.NextToken ?? 0);
        const page = Math.min(10, input.MaxResults ?? 10);
        const slice = under.slice(from, from + page);
        reply(200, { Parameters: slice, ...(from + page < under.length ? { NextToken: String(from + page) } : {}) });
      });
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    standIn = new SsmStandIn(server, `http://127.0.0.1:${port}`);
    return standIn;
  }

  /** Stops serving. */
  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
