import * as grpc from "@grpc/grpc-js";
import { createRefreshClient, type RefreshServiceClient } from "../../protocol";
import { FAN_OUT_DEFAULTS } from "../environment";

/** Options of {@link RefreshClientPool}. */
export interface RefreshClientPoolOptions {
  /** Channel credentials; default insecure (inside the VPC). */
  credentials?: grpc.ChannelCredentials;
  /**
   * Channels kept open at most; the least recently used idle one is closed beyond it. At least the
   * fan-out's concurrency, so a call never waits for a channel. Default `FAN_OUT_DEFAULTS.concurrency`.
   */
  maxClients?: number;
}

/** The use of one channel by one call: give it back with {@link RefreshChannelLease.release}. */
export interface RefreshChannelLease {
  readonly client: RefreshServiceClient;
  release(): void;
}

interface Channel {
  client: RefreshServiceClient;
  leases: number;
}

/**
 * gRPC clients of the instances, one per address, kept across invocations of a container so a
 * warm function reuses its HTTP/2 connections. A channel is never closed while a call holds it:
 * grpc-js cancels the calls still queued on a closed channel ("Channel closed before call
 * started"). Past `maxClients`, the least recently used idle channel is closed; a discarded channel
 * (its call failed, it would be in reconnect back-off) is closed once its last call ended.
 *
 * @example
 * ```ts
 * const pool = new RefreshClientPool({ maxClients: 128 });
 * const lease = pool.acquire("10.0.1.7:50051");
 * lease.client.Refresh(request, metadata, { deadline }, (error, response) => { lease.release(); });
 * ```
 */
export class RefreshClientPool {
  /** Open channels by address, least recently used first. */
  private readonly channels = new Map<string, Channel>();
  /** Discarded channels that calls still hold. */
  private readonly retiring = new Set<Channel>();
  private readonly maxClients: number;
  private peak = 0;

  public constructor(private readonly options: RefreshClientPoolOptions = {}) {
    this.maxClients = options.maxClients ?? FAN_OUT_DEFAULTS.concurrency;
  }

  /** The channel of `address` (opened on first use), held until the lease is released. */
  public acquire(address: string): RefreshChannelLease {
    let channel = this.channels.get(address);
    if (channel) {
      this.channels.delete(address);
    } else {
      const credentials = this.options.credentials ?? grpc.credentials.createInsecure();
      channel = { client: createRefreshClient(address, credentials), leases: 0 };
      this.closeIdleBeyond(this.maxClients - 1);
    }
    this.channels.set(address, channel);
    channel.leases += 1;
    this.peak = Math.max(this.peak, this.size);
    const held = channel;
    let released = false;
    return {
      client: held.client,
      release: () => {
        if (released) return;
        released = true;
        held.leases -= 1;
        if (held.leases === 0 && this.retiring.delete(held)) held.client.close();
        else if (this.size > this.maxClients) this.closeIdleBeyond(this.maxClients);
      },
    };
  }

  /** Forgets the channel of `address` (the next `acquire` connects afresh); closed once no call holds it. */
  public discard(address: string): void {
    const channel = this.channels.get(address);
    if (!channel) return;
    this.channels.delete(address);
    if (channel.leases === 0) channel.client.close();
    else this.retiring.add(channel);
  }

  /** Channels open (held or idle, discarded ones still held included). */
  public get size(): number {
    return this.channels.size + this.retiring.size;
  }

  /** The most channels open at once since the last call (then restarts from the current size). */
  public takePeak(): number {
    const peak = this.peak;
    this.peak = this.size;
    return peak;
  }

  /** Closes every channel (at shutdown: a call still queued on one fails). */
  public close(): void {
    for (const channel of [...this.channels.values(), ...this.retiring]) channel.client.close();
    this.channels.clear();
    this.retiring.clear();
  }

  /** Closes least recently used idle channels until at most `limit` are open (held ones never). */
  private closeIdleBeyond(limit: number): void {
    for (const [address, channel] of this.channels) {
      if (this.size <= limit) return;
      if (channel.leases > 0) continue;
      this.channels.delete(address);
      channel.client.close();
    }
  }
}
