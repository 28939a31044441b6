import { checkServerIdentity } from "node:tls";
import * as grpc from "@grpc/grpc-js";

/** What the function trusts when the instances serve `Refresh` over TLS. */
export interface RefreshCallTls {
  /** PEM of the CA that signed the instances' certificates: the only one trusted (pinned). */
  caPem: string;
  /**
   * The name the instances' certificate holds (a DNS name in its subjectAltName). The function calls
   * instances by address, which a fleet's certificate cannot list; absent, the address itself is checked.
   */
  serverName?: string;
}

/**
 * Channel credentials of the function's calls to instances that serve TLS: the chain must lead to
 * the pinned CA, and the certificate must name `serverName` (or the address called).
 *
 * @example
 * ```ts
 * const credentials = refreshCallCredentials({ caPem, serverName: "refresh.shop.internal" });
 * ```
 */
export function refreshCallCredentials(tls: RefreshCallTls): grpc.ChannelCredentials {
  const { serverName } = tls;
  return grpc.credentials.createSsl(
    Buffer.from(tls.caPem),
    null,
    null,
    serverName === undefined
      ? {}
      : {
          checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate),
        },
  );
}
