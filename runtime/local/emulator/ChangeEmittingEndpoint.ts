import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SSMClient } from "@aws-sdk/client-ssm";
import { describeError, toError } from "../../common/errors";
import { LOCAL_AWS } from "../../operator/aws/emulatorDefaults";
import { ChangeEventRelay } from "../../operator/relay/changeEventRelay";
import { EMITTED_EVENT_HEADERS } from "../../operator/relay/emittedEventHeaders";
import { allowedPatternRefusal } from "../../../components/appConfig/ssmRules";
import { parseSsmWrite, signedRegion, ssmWriteOperation, type SsmWrite } from "./ssmWrite";
import { readParameterFacts, writeNotices, type ParameterFacts } from "./writeNotices";

/** Largest SSM write body read (SSM's own requests are far smaller: a value is at most 8 KB). */
const MAX_WRITE_BODY_BYTES = 1024 * 1024;

/** Options of {@link ChangeEmittingEndpoint.start}. */
export interface ChangeEmittingEndpointOptions {
  /** The emulator behind it: `http://127.0.0.1:<moto port>`. */
  upstream: string;
  /** Region of a request not signed with SigV4 (default `us-east-1`). */
  defaultRegion?: string;
  /** Told when a write succeeded but its change events could not be sent (default: nowhere). */
  onEmitError?(error: Error, write: SsmWrite): void;
}

/** The SDK clients the endpoint calls moto with, in one region. */
interface RegionClients {
  ssm: SSMClient;
  relay: ChangeEventRelay;
  destroy(): void;
}

/**
 * The endpoint the local pipeline hands out: an HTTP proxy on loopback in front of moto that, like
 * Parameter Store, emits the "Parameter Store Change" event after every successful write, whoever
 * sent it (the AWS CLI, boto3, the SDK): `PutParameter`, `DeleteParameter`, `DeleteParameters` (one
 * event per name) and `LabelParameterVersion`, in the region the request was signed for. It also
 * refuses a value failing the parameter's `AllowedPattern`, as SSM does and moto does not. Every
 * other request reaches moto untouched (headers and body streamed through); a refused write emits
 * nothing. The answer to a write says what was emitted ({@link EMITTED_EVENT_HEADERS}), so a
 * writer that would relay the event itself does not send it twice.
 *
 * @example
 * ```ts
 * const endpoint = await ChangeEmittingEndpoint.start({ upstream: moto.endpoint });
 * const ssm = new SSMClient(emulatorClientConfig(endpoint.endpoint)); // its writes now emit events
 * await endpoint.stop();
 * ```
 */
export class ChangeEmittingEndpoint {
  private readonly regions = new Map<string, RegionClients>();
  private readonly agent = new http.Agent({ keepAlive: true });

  private constructor(
    private readonly options: ChangeEmittingEndpointOptions,
    private readonly server: http.Server,
  ) {}

  /** Listens on a free loopback port; resolves once it accepts connections. */
  public static async start(options: ChangeEmittingEndpointOptions): Promise<ChangeEmittingEndpoint> {
    const server = http.createServer();
    const endpoint = new ChangeEmittingEndpoint(options, server);
    server.on("request", (request, response) => endpoint.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return endpoint;
  }

  /** `http://127.0.0.1:<port>`: what AWS clients are pointed at. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening, closes open connections and the clients it made. */
  public async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.agent.destroy();
    for (const clients of this.regions.values()) clients.destroy();
    this.regions.clear();
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const operation = ssmWriteOperation(request.headers["x-amz-target"]);
    if (!operation) {
      this.passThrough(request, response);
      return;
    }
    void this.handleWrite(request, response, operation).catch((error: unknown) => {
      if (!response.headersSent) answerError(response, 502, "InternalFailure", `proxy: ${describeError(error)}`);
      else response.destroy(toError(error));
    });
  }

  /** Any request but an SSM write: streamed to moto and back, as it is. */
  private passThrough(request: http.IncomingMessage, response: http.ServerResponse): void {
    const upstream = this.forward(
      request,
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(response);
      },
      response,
    );
    request.pipe(upstream);
  }

  private async handleWrite(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    operation: NonNullable<ReturnType<typeof ssmWriteOperation>>,
  ): Promise<void> {
    const body = await readBody(request, MAX_WRITE_BODY_BYTES);
    if (body === undefined) {
      answerError(response, 413, "ValidationException", `the request body exceeds ${MAX_WRITE_BODY_BYTES} bytes`);
      return;
    }
    const write = parseSsmWrite(operation, body.toString("utf8"));
    // A body SSM cannot read: moto answers it with its own error, and nothing was written.
    if (!write) return this.sendUpstream(request, response, body, undefined);
    const clients = this.clientsOf(signedRegion(request.headers.authorization));
    const before =
      write.operation === "PutParameter" || write.operation.startsWith("Delete")
        ? await readParameterFacts(clients.ssm, write.names)
        : new Map<string, ParameterFacts>();
    if (write.operation === "PutParameter") {
      const existing = before.get(write.names[0] ?? "");
      const pattern = write.allowedPattern ?? (existing && write.overwrite ? existing.allowedPattern : undefined);
      const refusal = write.value === undefined ? undefined : allowedPatternRefusal(write.value, pattern);
      if (refusal && !(existing && !write.overwrite)) {
        answerError(response, 400, "ValidationException", refusal);
        return;
      }
    }
    return this.sendUpstream(request, response, body, { write, before, clients });
  }

  /** Sends a buffered write to moto; once it answers 2xx, emits its events, then answers the caller. */
  private async sendUpstream(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    body: Buffer,
    emit: { write: SsmWrite; before: Map<string, ParameterFacts>; clients: RegionClients } | undefined,
  ): Promise<void> {
    const answer = await new Promise<{ head: http.IncomingMessage; body: Buffer }>((resolve, reject) => {
      const upstream = this.forward(
        request,
        (head) => {
          const chunks: Buffer[] = [];
          head.on("data", (chunk: Buffer) => chunks.push(chunk));
          head.once("end", () => resolve({ head, body: Buffer.concat(chunks) }));
          head.once("error", reject);
        },
        response,
      );
      upstream.once("error", reject);
      upstream.end(body);
    });
    const status = answer.head.statusCode ?? 502;
    const headers: Record<string, string> = {};
    if (emit && status >= 200 && status < 300) {
      headers[EMITTED_EVENT_HEADERS.emits] = "true";
      try {
        const ids = await this.emit(emit.write, answer.body, emit.before, emit.clients);
        headers[EMITTED_EVENT_HEADERS.eventIds] = ids.join(",");
      } catch (error) {
        const failure = toError(error);
        headers[EMITTED_EVENT_HEADERS.error] = failure.message.replace(/[^\x20-\x7e]/g, " ").slice(0, 500);
        this.options.onEmitError?.(failure, emit.write);
      }
    }
    // The body is sent whole: Node frames it again.
    const kept = withoutHeader(answer.head.rawHeaders, "transfer-encoding");
    response.writeHead(status, answer.head.statusMessage, [...kept, ...Object.entries(headers).flat()]);
    response.end(answer.body);
  }

  private async emit(
    write: SsmWrite,
    answerBody: Buffer,
    before: Map<string, ParameterFacts>,
    clients: RegionClients,
  ): Promise<string[]> {
    const answer = JSON.parse(answerBody.toString("utf8") || "{}") as Record<string, unknown>;
    const time = new Date();
    const facts = write.operation.startsWith("Delete") ? before : await readParameterFacts(clients.ssm, write.names);
    const notices = writeNotices(write, answer, facts, time);
    return notices.length > 0 ? clients.relay.emit(notices) : [];
  }

  /** A request to moto with the caller's method, path and headers; `onAnswer` gets its response. */
  private forward(
    request: http.IncomingMessage,
    onAnswer: (answer: http.IncomingMessage) => void,
    response: http.ServerResponse,
  ): http.ClientRequest {
    const target = new URL(request.url ?? "/", this.options.upstream);
    const options = { method: request.method, headers: request.headers, agent: this.agent };
    const upstream = http.request(target, options, onAnswer);
    upstream.on("error", (error) => {
      if (!response.headersSent) answerError(response, 502, "InternalFailure", `moto did not answer: ${error.message}`);
      else response.destroy(error);
    });
    request.once("aborted", () => upstream.destroy());
    return upstream;
  }

  private clientsOf(region = this.options.defaultRegion ?? LOCAL_AWS.region): RegionClients {
    let clients = this.regions.get(region);
    if (!clients) {
      const credentials = { ...LOCAL_AWS.credentials };
      const config = { endpoint: this.options.upstream, region, credentials, maxAttempts: 1 };
      const ssm = new SSMClient(config);
      const eventBridge = new EventBridgeClient(config);
      const destroy = (): void => {
        ssm.destroy();
        eventBridge.destroy();
      };
      clients = { ssm, relay: new ChangeEventRelay(eventBridge), destroy };
      this.regions.set(region, clients);
    }
    return clients;
  }
}

/** The whole body, or undefined when it is longer than `limit` bytes. */
async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Raw headers (name, value, name, value…) without those called `name` (lower case). */
function withoutHeader(raw: readonly string[], name: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] ?? "";
    if (key.toLowerCase() !== name) kept.push(key, raw[i + 1] ?? "");
  }
  return kept;
}

/** An error in SSM's JSON 1.1 shape (`__type` and `message`), which every SDK parses. */
function answerError(response: http.ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(body),
    "x-amzn-errortype": type,
  });
  response.end(body);
}
