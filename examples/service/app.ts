import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Client as FlagClient } from "@openfeature/server-sdk";
import type { ConfigClient, DerivedValue } from "../../runtime/client";
import type { ServiceSchema } from "./configSchema";
import type { ServiceLogger } from "./logger";

/**
 * The service's HTTP server. Every request reads the configuration through the client (a plain
 * lookup, no I/O), its feature flag through OpenFeature (`flags`, backed by the same client), and
 * logs through the derived logger, so a change of `features/new_checkout` or `log_level` in
 * Parameter Store changes the next response:
 * - `GET /`: which checkout this instance serves (`features/new_checkout`) and its log level;
 * - `GET /config`: the versions the instance holds (never the values);
 * - `GET /healthz`: 200 while serving.
 */
export function createServiceServer(
  client: ConfigClient<ServiceSchema>,
  flags: FlagClient,
  logger: DerivedValue<ServiceLogger>,
): Server {
  return createServer((request, response) => {
    void logger
      .use((log) => handle(client, flags, log, request, response))
      .catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { error: "internal error" });
        process.stderr.write(
          `${JSON.stringify({ level: "error", message: "request failed", error: String(error) })}\n`,
        );
      });
  });
}

async function handle(
  client: ConfigClient<ServiceSchema>,
  flags: FlagClient,
  log: ServiceLogger,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://service");
  if (request.method !== "GET") {
    send(response, 405, { error: "only GET" });
    return;
  }
  switch (url.pathname) {
    case "/": {
      // The feature flag through OpenFeature (the provider reads the client's snapshot: no I/O).
      const checkout = (await flags.getBooleanValue("features/new_checkout", false)) ? "new" : "classic";
      // One snapshot for the rest of the request: those values come from the same version of the configuration.
      const config = client.snapshot();
      log.debug("served checkout", { checkout, path: url.pathname });
      send(response, 200, {
        instanceId: client.instanceId,
        checkout,
        rolloutPercent: config["features/rollout_percent"],
        currency: config["checkout/currency"],
        logLevel: log.level,
      });
      return;
    }
    case "/config":
      send(response, 200, client.state());
      return;
    case "/healthz":
      send(response, 200, { ok: true });
      return;
    default:
      send(response, 404, { error: "not found" });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}
