import { toError } from "../../common/errors";
import type { Redis } from "ioredis";
import type { StreamKeys } from "../../protocol";
import { backoffDelay, type ReconnectBackoff } from "./redisConnection";
import { assessStreamPosition, positionAt, readStreamInfo, type StreamPosition } from "./streamPosition";

/** One stream entry as ioredis returns it. */
export type RawStreamEntry = [id: string, fields: string[]];

/** What a Redis call of the loop gives when {@link StreamReader.stop} came first. */
const STOPPED = Symbol("stopped");

/** What a Redis call of the loop gives when the connection it was sent on dropped before it answered. */
const DROPPED = Symbol("dropped");

/** Thrown out of a Redis call of the loop whose connection dropped: the loop checks its position and reads on. */
class ConnectionDropped extends Error {}

/** Why the reader moved to the end of the stream (see `assessStreamPosition`; `resync`: it had no position). */
export type StreamResetReason = "trimmed" | "recreated" | "failover" | "resync";

/** What the reader does with what it reads. */
export interface StreamReaderHooks {
  /** Applies one batch (in order); the reader moves past it once this resolves. */
  onEntries(entries: readonly RawStreamEntry[]): Promise<void>;
  /**
   * The position could miss changes: the reader has already moved to the current end of the
   * stream; everything before must be reloaded. Must not throw (retries are the caller's).
   */
  onReset(reason: StreamResetReason, position: StreamPosition): Promise<void>;
  /** A read failed; the reader waits `retryInMs` and goes on. */
  onError(error: Error, retryInMs: number): void;
}

/** Timing of the reader. */
export interface StreamReaderOptions {
  blockMs: number;
  batchSize: number;
  backoff: ReconnectBackoff;
  /**
   * One position check every this many idle blocks (XREADs that timed out), at a phase drawn at
   * random, so that a fleet started together spreads its checks. Default 1: after every idle block.
   */
  positionCheckEvery?: number;
}

/**
 * The listening loop: `XREAD BLOCK` on a connection of its own (blocking commands need one) from
 * the last id, batch after batch. Checks the position (one MULTI: XINFO STREAM + GET epoch + INFO
 * replication) after a reconnection (a failover drops every connection), before applying a batch
 * that is not chained to where the reader was (chained: each entry's `previousId` is the id before
 * it, the first one's is the reader's last id, so nothing in between was trimmed or lost), and
 * otherwise once every `positionCheckEvery` idle blocks (a flush under a connected reader, with
 * nothing published since, shows nowhere else). A lost position (trimmed / recreated / failover /
 * unknown) goes to `onReset` after moving to the stream's end; the batch read from it is dropped,
 * since the reload that follows covers it.
 *
 * The connection must reconnect by itself (ioredis `retryStrategy`), queue commands while it is
 * down (`maxRetriesPerRequest: null`) and not resend the commands in flight when it dropped
 * (`autoResendUnfulfilledCommands: false`; see `createStreamConnection`): a call in flight on a
 * connection that drops is abandoned, and the loop checks its position as soon as the connection
 * is back, then reads again from its last id (a resent `XREAD BLOCK` would hold the connection, and
 * the check, for up to `blockMs`). ioredis 5 never settles such a call (redis/ioredis#2193), nor a
 * call in flight when the connection never comes back (redis/ioredis#2197): the loop races each
 * call against the drop and against `stop()`, which therefore does not hang because Redis went away.
 */
export class StreamReader {
  private current: StreamPosition | undefined;
  private needsCheck = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly stopSignal: Promise<typeof STOPPED>;
  private signalStop: () => void = () => undefined;
  private readonly checkEvery: number;
  /** Idle blocks since the last periodic check, modulo `checkEvery`; starts at a random phase. */
  private idleBlocks: number;
  /** The connection became ready since it last dropped: a call sent now is on a live connection or queued for one. */
  private connected: boolean;
  /** Resolves when the connection drops after having been ready (then a new one is armed). */
  private dropSignal!: Promise<typeof DROPPED>;
  private signalDrop: () => void = () => undefined;

  public constructor(
    private readonly redis: Redis,
    private readonly keys: StreamKeys,
    private readonly options: StreamReaderOptions,
    private readonly hooks: StreamReaderHooks,
  ) {
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve(STOPPED)));
    this.checkEvery = options.positionCheckEvery ?? 1;
    this.idleBlocks = Math.floor(Math.random() * this.checkEvery);
    this.connected = redis.status === "ready";
    this.armDropSignal();
    redis.on("ready", () => (this.connected = true));
    redis.on("close", () => {
      if (!this.connected) return; // a reconnection attempt that failed: what waits for the connection still waits
      this.connected = false;
      this.needsCheck = true;
      this.signalDrop();
      this.armDropSignal();
    });
  }

  /** Where the reader is (undefined until the position is known). */
  public get position(): StreamPosition | undefined {
    return this.current;
  }

  /** Starts reading from `initial`; without one, the reader records the position first and reports a `resync`. */
  public start(initial: StreamPosition | undefined): void {
    if (this.loop) return;
    this.current = initial;
    this.loop = this.run();
  }

  /** Asks for a position check before the next read (the connection was re-established). */
  public checkPosition(): void {
    this.needsCheck = true;
  }

  /**
   * Stops the loop and closes its connection; resolves when the loop has ended, or is only waiting
   * on Redis (it calls no hook after this).
   */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    this.wake?.();
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.current === undefined || this.needsCheck) {
          this.needsCheck = false;
          await this.verify();
          if (this.stopped) break;
        }
        const from = this.current as StreamPosition;
        const reply = (await this.untilStopped(
          this.redis.xread(
            "COUNT",
            this.options.batchSize,
            "BLOCK",
            this.options.blockMs,
            "STREAMS",
            this.keys.stream,
            from.lastId,
          ),
        )) as [string, RawStreamEntry[]][] | null | typeof STOPPED;
        if (reply === STOPPED || this.stopped) break;
        failures = 0;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          this.idleBlocks = (this.idleBlocks + 1) % this.checkEvery;
          if (this.idleBlocks === 0) this.needsCheck = true;
          continue;
        }
        // A full batch may end inside one publication (one Lambda invocation): read the rest of it, so it
        // lands in one swap.
        if (entries.length >= this.options.batchSize) await this.completePublication(entries);
        if (this.stopped) break;
        // A batch not chained to `from` may follow a gap: check `from` before applying, since the
        // position after the batch could look sound while the entries in between are gone.
        if (!chainedFrom(from.lastId, entries) && (await this.verify())) continue;
        if (this.stopped) break;
        await this.hooks.onEntries(entries);
        this.current = {
          ...from,
          lastId: (entries[entries.length - 1] as RawStreamEntry)[0],
          consumed: from.consumed === undefined ? undefined : from.consumed + entries.length,
        };
      } catch (error) {
        if (this.stopped) break;
        this.needsCheck = true;
        // The next call waits for the reconnection (ioredis backs off); the check comes first.
        if (error instanceof ConnectionDropped) continue;
        const delay = backoffDelay(++failures, this.options.backoff);
        this.hooks.onError(toError(error), delay);
        await this.pause(delay);
      }
    }
  }

  /**
   * Appends to `entries` the entries after it that belong to the publication of its last entry:
   * the Lambda writes one invocation's entries consecutively, in one script, with one `publishedAt`.
   * Readers of the configuration then see all of a publication or none of it, whatever the batch size.
   */
  private async completePublication(entries: RawStreamEntry[]): Promise<void> {
    const publication = publishedAtOf(entries[entries.length - 1] as RawStreamEntry);
    if (publication === undefined) return;
    for (;;) {
      const after = (entries[entries.length - 1] as RawStreamEntry)[0];
      const more = (await this.untilStopped(
        this.redis.xrange(this.keys.stream, `(${after}`, "+", "COUNT", this.options.batchSize),
      )) as RawStreamEntry[] | typeof STOPPED;
      if (more === STOPPED) return;
      const end = more.findIndex((entry) => publishedAtOf(entry) !== publication);
      entries.push(...(end < 0 ? more : more.slice(0, end)));
      if (end >= 0 || more.length < this.options.batchSize || this.stopped) return;
    }
  }

  /**
   * Compares the position with the stream; on a lost position, moves to the end and reports it.
   * Returns true when it moved (a reload covers everything up to the new position).
   */
  private async verify(): Promise<boolean> {
    const info = await this.untilStopped(readStreamInfo(this.redis, this.keys));
    if (info === STOPPED || this.stopped) return false;
    if (this.current === undefined) {
      this.current = positionAt(info);
      await this.hooks.onReset("resync", this.current);
      return true;
    }
    const verdict = assessStreamPosition(this.current, info);
    if (verdict === "ok") {
      // Learn the epoch once set, and the replication id after a restart (the next promotion is measured from it).
      const epoch = this.current.epoch ?? info.epoch;
      const replicationId = info.replicationId ?? this.current.replicationId;
      if (epoch !== this.current.epoch || replicationId !== this.current.replicationId) {
        this.current = { ...this.current, epoch, ...(replicationId !== undefined ? { replicationId } : {}) };
      }
      return false;
    }
    this.current = positionAt(info);
    await this.hooks.onReset(verdict, this.current);
    return true;
  }

  /**
   * `call`, or {@link STOPPED} as soon as `stop()` is called; throws {@link ConnectionDropped} when
   * the connection drops before it answers (in both cases the call may never settle).
   */
  private async untilStopped<T>(call: Promise<T>): Promise<T | typeof STOPPED> {
    call.catch(() => undefined); // a call left behind may still reject
    const result = await Promise.race([call, this.stopSignal, this.dropSignal]);
    if (result === DROPPED) throw new ConnectionDropped("the stream connection dropped before Redis answered");
    return result;
  }

  private armDropSignal(): void {
    this.dropSignal = new Promise((resolve) => (this.signalDrop = () => resolve(DROPPED)));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** A field of a raw entry (the first occurrence, as the protocol reads fields), if any. */
function fieldOf([, fields]: RawStreamEntry, name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** The `publishedAt` field of a raw entry, if any. */
function publishedAtOf(entry: RawStreamEntry): string | undefined {
  return fieldOf(entry, "publishedAt");
}

/** True when every entry names the one before it (the first: `lastId`) as its `previousId`. */
function chainedFrom(lastId: string, entries: readonly RawStreamEntry[]): boolean {
  let expected = lastId;
  for (const entry of entries) {
    if (fieldOf(entry, "previousId") !== expected) return false;
    expected = entry[0];
  }
  return true;
}
