import { createServer, type Server } from "node:http";
import { monotonicNs } from "../support/clock";

/** One parameter the stand-in serves (SSM's JSON wire shape: `LastModifiedDate` in epoch seconds). */
export interface StoredParameter {
  Name: string;
  Type: "String" | "SecureString";
  Value: string;
  Version: number;
  LastModifiedDate: number;
  ARN: string;
  DataType: "text";
}

/** The parameters a stand-in serves: `count` under `path`, the last `secure` of them SecureStrings. */
export interface StandInContent {
  path: string;
  count: number;
  secure?: number;
}

/** An answer of the stand-in: HTTP status and JSON body. */
export interface StandInAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * SSM's `GetParametersByPath` (pages of at most 10, an offset as `NextToken`) and `GetParameter`
 * (`name` or `name:version`, the version it holds only) over parameters held in memory: what the
 * HTTP {@link SsmStandIn} serves, and what the fleet bench's in-process stand-in answers.
 */
export class StandInParameters {
  public readonly parameters: StoredParameter[];
  private readonly byName: Map<string, StoredParameter>;

  public constructor(private readonly content: StandInContent) {
    const now = Date.now() / 1000;
    const secureFrom = content.count - (content.secure ?? 0);
    this.parameters = Array.from({ length: content.count }, (_, i) => {
      const name = `${content.path}group_${Math.floor(i / 50)}/key_${i}`;
      return {
        Name: name,
        Type: i >= secureFrom ? "SecureString" : "String",
        Value: `value-${i}-${"x".repeat(24)}`,
        Version: 1,
        LastModifiedDate: now,
        ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name}`,
        DataType: "text",
      };
    });
    this.byName = new Map(this.parameters.map((p) => [p.Name, p]));
  }

  /** The path the parameters are under. */
  public get path(): string {
    return this.content.path;
  }

  /** The SecureStrings served (their changes carry no value: each instance reads them). */
  public get secureNames(): string[] {
    return this.parameters.filter((p) => p.Type === "SecureString").map((p) => p.Name);
  }

  /** A new version of `name` (a write, as a change event would follow), returned as stored. */
  public bump(name: string): StoredParameter {
    const held = this.byName.get(name);
    if (!held) throw new Error(`the stand-in has no ${name}`);
    held.Version += 1;
    held.Value = `${held.Value.split("@")[0]}@${held.Version}`;
    held.LastModifiedDate = Date.now() / 1000;
    return held;
  }

  /** The answer to `operation` (`GetParametersByPath`, `GetParameter`) with its JSON input. */
  public answer(operation: string, input: Record<string, unknown>): StandInAnswer {
    if (operation === "GetParametersByPath") {
      const under = input.Path === this.content.path ? this.parameters : [];
      const from = Number(input.NextToken ?? 0);
      const page = Math.min(10, Number(input.MaxResults ?? 10));
      const slice = under.slice(from, from + page);
      return {
        status: 200,
        body: { Parameters: slice, ...(from + page < under.length ? { NextToken: String(from + page) } : {}) },
      };
    }
    if (operation === "GetParameter") {
      const [name = "", version] = String(input.Name ?? "").split(":");
      const held = this.byName.get(name);
      if (!held || (version !== undefined && Number(version) !== held.Version))
        return { status: 400, body: { __type: "ParameterNotFound", message: `${input.Name} is not held` } };
      return { status: 200, body: { Parameter: held } };
    }
    return {
      status: 400,
      body: { __type: "UnknownOperationException", message: `the stand-in does not serve ${operation}` },
    };
  }
}

/** One call the stand-in answered: operation and when it arrived (monotonic ms). */
export interface StandInCall {
  operation: string;
  atMs: number;
}

/**
 * A stand-in for SSM's `GetParametersByPath` and `GetParameter` (JSON 1.1 protocol) over HTTP,
 * serving {@link StandInParameters} from memory. The scale benchmark needs it because moto builds
 * the whole list of the path for every page (a load of 10,000 parameters is 1,000 pages × O(10,000)
 * there, over a minute), which would measure moto rather than the client; the fleet benchmark,
 * because it times every call of 1,000 clients. Every other operation answers 400.
 */
export class SsmStandIn {
  public calls = 0;
  /** Every call answered, in arrival order (when `keepCalls` is on). */
  public readonly log: StandInCall[] = [];
  /** Record each call's operation and arrival time in {@link log}. */
  public keepCalls = false;

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
    public readonly content: StandInParameters,
  ) {}

  /** Serves `count` parameters `<path>group_<g>/key_<i>` (the last `secure` SecureStrings) on a free loopback port. */
  public static async start(path: string, count: number, secure = 0): Promise<SsmStandIn> {
    const content = new StandInParameters({ path, count, secure });
    let standIn: SsmStandIn | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const operation = String(request.headers["x-amz-target"] ?? "").replace(/^AmazonSSM\./, "");
        if (standIn) {
          standIn.calls += 1;
          if (standIn.keepCalls) standIn.log.push({ operation, atMs: Number(monotonicNs()) / 1e6 });
        }
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        const { status, body } = content.answer(operation, input);
        response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify(body));
      });
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    standIn = new SsmStandIn(server, `http://127.0.0.1:${port}`, content);
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
