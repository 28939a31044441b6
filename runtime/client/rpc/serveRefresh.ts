import { ServerCredentials } from "@grpc/grpc-js";
import { startRefreshServer, type RunningRefreshServer } from "../../protocol";
import type { RefreshMethod, RefreshServerConfig } from "../types";
import { createRefreshHandlers, type RefreshHandlerDeps } from "./refreshHandlers";

/** What the client's refresh endpoint needs: the handlers' needs, and who hears of a refused token. */
export interface RefreshEndpointDeps extends RefreshHandlerDeps {
  /** A call carried no accepted token (answered UNAUTHENTICATED before any handler ran). */
  onUnauthenticated(method: RefreshMethod): void;
}

/**
 * Starts the client's `refresh.proto` server as `config` says, answering with the client's
 * handlers (`Refresh` applies a batch, `State` reports what is held).
 */
export function serveRefresh(config: RefreshServerConfig, deps: RefreshEndpointDeps): Promise<RunningRefreshServer> {
  const { onUnauthenticated, ...handlers } = deps;
  if (config.tls !== undefined && config.credentials !== undefined) {
    const conflict = "refreshServer.tls and refreshServer.credentials conflict: give the certificate one way";
    return Promise.reject(new Error(conflict));
  }
  const credentials =
    config.tls !== undefined
      ? ServerCredentials.createSsl(
          null,
          [
            {
              cert_chain: Buffer.from(config.tls.certificatePem),
              private_key: Buffer.from(config.tls.privateKeyPem),
            },
          ],
          false,
        )
      : config.credentials;
  return startRefreshServer(
    {
      tokens: config.tokens,
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.port !== undefined ? { port: config.port } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      onUnauthenticated,
    },
    createRefreshHandlers(handlers),
  );
}
