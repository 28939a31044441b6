import { toError } from "../../common/errors";
import type { Redis } from "ioredis";
import { buildAckFields, buildRefusalFields, type AckMessage, type RefusalMessage } from "../../protocol";

/** What the acknowledger reports. */
export interface AcknowledgerHooks {
  /** A flush was written: its acknowledgements and its refusals. */
  onWritten(acks: number, refusals: number): void;
  onFailed(error: Error, count: number): void;
}

/** One entry waiting to be written. */
type Queued =
  | { kind: "ack"; ack: Omit<AckMessage, "format"> }
  | { kind: "refusal"; refusal: Omit<RefusalMessage, "format"> };

/**
 * Writes acknowledgements (and the refusals beside them) on the acks stream (XADD MAXLEN ~) without
 * holding up the apply path:
 * the swaps of one turn of the event loop are written together in one pipeline on the next turn
 * (`setImmediate`), so the socket write never sits between a swap and what waits for it (the RPC
 * answer, the next read, the other clients of the process). A failure is reported, never thrown.
 */
export class Acknowledger {
  private readonly pending = new Set<Promise<void>>();
  private queued: Queued[] = [];
  private flushing: NodeJS.Immediate | undefined;

  public constructor(
    private readonly redis: Redis,
    private readonly acksKey: string,
    private readonly maxLength: number,
    private readonly hooks: AcknowledgerHooks,
  ) {}

  /** Queues the acknowledgements of one swap; they are written on the next turn of the event loop. */
  public send(acks: readonly Omit<AckMessage, "format">[]): void {
    for (const ack of acks) this.queued.push({ kind: "ack", ack });
    this.schedule();
  }

  /** Queues the refusals of one batch, written with the acknowledgements on the next turn. */
  public sendRefusals(refusals: readonly Omit<RefusalMessage, "format">[]): void {
    for (const refusal of refusals) this.queued.push({ kind: "refusal", refusal });
    this.schedule();
  }

  private schedule(): void {
    if (this.queued.length > 0) this.flushing ??= setImmediate(() => this.flush());
  }

  /** Writes what is queued, in one pipeline. */
  private flush(): void {
    this.flushing = undefined;
    const acks = this.queued;
    this.queued = [];
    if (acks.length === 0) return;
    const refusals = acks.filter((entry) => entry.kind === "refusal").length;
    const pipeline = this.redis.pipeline();
    try {
      for (const entry of acks) {
        const fields = entry.kind === "ack" ? buildAckFields(entry.ack) : buildRefusalFields(entry.refusal);
        pipeline.xadd(this.acksKey, "MAXLEN", "~", this.maxLength, "*", ...fields);
      }
    } catch (error) {
      // This runs in setImmediate, where a throw would end the process: report it like a failed write.
      this.hooks.onFailed(toError(error), acks.length);
      return;
    }
    const written = pipeline.exec().then(
      (replies) => {
        const failed = (replies ?? []).find(([error]) => error)?.[0];
        if (failed) this.hooks.onFailed(failed, acks.length);
        else this.hooks.onWritten(acks.length - refusals, refusals);
      },
      (error: unknown) => this.hooks.onFailed(toError(error), acks.length),
    );
    this.pending.add(written);
    void written.finally(() => this.pending.delete(written));
  }

  /** Waits up to `graceMs` for queued acknowledgements, then closes the connection. */
  public async close(graceMs: number): Promise<void> {
    if (this.flushing) clearImmediate(this.flushing);
    this.flush();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([
      Promise.allSettled([...this.pending])
        .then(() => this.redis.quit())
        .then(
          () => undefined,
          () => undefined,
        ),
      timeout,
    ]);
    clearTimeout(timer);
    this.redis.disconnect();
  }
}
