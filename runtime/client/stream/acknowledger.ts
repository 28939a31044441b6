import type { Redis } from "ioredis";
import { buildAckFields, type AckMessage } from "../../protocol";

/** What the acknowledger reports. */
export interface AcknowledgerHooks {
  onWritten(count: number): void;
  onFailed(error: Error, count: number): void;
}

/**
 * Writes acknowledgements on the acks stream (XADD MAXLEN ~), one pipeline per swap, without
 * holding up the apply path: a failure is reported, never thrown.
 */
export class Acknowledger {
  private readonly pending = new Set<Promise<void>>();

  public constructor(
    private readonly redis: Redis,
    private readonly acksKey: string,
    private readonly maxLength: number,
    private readonly hooks: AcknowledgerHooks,
  ) {}

  /** Queues the acknowledgements of one swap. */
  public send(acks: readonly Omit<AckMessage, "format">[]): void {
    if (acks.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const ack of acks) pipeline.xadd(this.acksKey, "MAXLEN", "~", this.maxLength, "*", ...buildAckFields(ack));
    const written = pipeline.exec().then(
      (replies) => {
        const failed = (replies ?? []).find(([error]) => error)?.[0];
        if (failed) this.hooks.onFailed(failed, acks.length);
        else this.hooks.onWritten(acks.length);
      },
      (error: unknown) => this.hooks.onFailed(error instanceof Error ? error : new Error(String(error)), acks.length),
    );
    this.pending.add(written);
    void written.finally(() => this.pending.delete(written));
  }

  /** Waits up to `graceMs` for queued acknowledgements, then closes the connection. */
  public async close(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.pending]).then(() => this.redis.quit()).then(() => undefined, () => undefined), timeout]);
    clearTimeout(timer);
    this.redis.disconnect();
  }
}
