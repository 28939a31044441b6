import * as grpc from "@grpc/grpc-js";
import { createRefreshClient, type RefreshServiceClient } from "../../protocol";

/** Options of {@link RefreshClientPool}. */
export interface RefreshClientPoolOptions {
  /** Channel credentials; default insecure (inside the VPC). */
  credentials?: grpc.ChannelCredentials;
  /** Clients kept at most; the least recently used is closed beyond it. Default 256. */
  maxClients?: number;
}

/**
 * gRPC clients of the instances, one per address, kept across invocations of a container so a
 * warm function reuses its HTTP/2 connections. A client whose call failed is discarded: its channel
 * would be in reconnect back-off and fail the next call at once, even after the instance came back.
 *
 * @example
 * ```ts
 * const pool = new RefreshClientPool();
 * pool.get("10.0.1.7:50051").Refresh(request, metadata, { deadline }, callback);
 * ```
 */
export class RefreshClientPool {
  private readonly clients = new Map<string, RefreshServiceClient>();
  private readonly maxClients: number;

  public constructor(private readonly options: RefreshClientPoolOptions = {}) {
    this.maxClients = options.maxClients ?? 256;
  }

  /** The client of `address`, created on first use. */
  public get(address: string): RefreshServiceClient {
    let client = this.clients.get(address);
    if (client) {
      this.clients.delete(address);
    } else {
      client = createRefreshClient(address, this.options.credentials ?? grpc.credentials.createInsecure());
    }
    this.clients.set(address, client);
    while (this.clients.size > this.maxClients) {
      const [oldest] = this.clients.keys();
      if (oldest === undefined) break;
      this.discard(oldest);
    }
    return client;
  }

  /** Closes and forgets the client of `address` (the next `get` connects afresh). */
  public discard(address: string): void {
    this.clients.get(address)?.close();
    this.clients.delete(address);
  }

  /** Number of clients held. */
  public get size(): number {
    return this.clients.size;
  }

  /** Closes every client. */
  public close(): void {
    for (const address of [...this.clients.keys()]) this.discard(address);
  }
}
