import { describeError } from "../../common/errors";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { ParameterStoreError } from "../errors";

/** Options of {@link CachedSecureString}. */
export interface CachedSecureStringOptions {
  /** Age after which the value is read again, so a rotation is picked up; default 5 minutes. */
  maxAgeMs?: number;
  /** Called when a re-read fails and the previous value is kept (never receives the value). */
  onStaleRead?(error: unknown): void;
  /** Clock, epoch ms (tests). */
  now?(): number;
}

/**
 * A SecureString read with decryption once and kept for a few minutes (the refresh token, the
 * Redis AUTH token). One read in flight at a time however many callers wait. When a re-read fails,
 * the previous value keeps working (a token does not stop being valid because SSM hiccuped).
 *
 * @example
 * ```ts
 * const token = new CachedSecureString(ssm, "/shop/beta/_refresh/token");
 * await token.get();
 * ```
 */
export class CachedSecureString {
  private value: string | undefined;
  private readAt = 0;
  private inFlight: Promise<string> | undefined;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  public constructor(
    private readonly ssm: SSMClient,
    public readonly parameterName: string,
    private readonly options: CachedSecureStringOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The value, read again when older than `maxAgeMs`.
   * @throws {@link ParameterStoreError} when it was never read and cannot be.
   */
  public get(): Promise<string> {
    if (this.value !== undefined && this.now() - this.readAt < this.maxAgeMs) return Promise.resolve(this.value);
    return this.read();
  }

  /**
   * Reads again unless the value was read less than `minAgeMs` ago (a server refused the token:
   * maybe it was rotated). Resolves to the value held afterwards.
   */
  public refresh(minAgeMs: number): Promise<string> {
    if (this.value !== undefined && this.now() - this.readAt < minAgeMs) return Promise.resolve(this.value);
    return this.read();
  }

  private read(): Promise<string> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<string> {
    try {
      const answer = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      const value = answer.Parameter?.Value;
      if (!value) throw new Error("the parameter has no value");
      this.value = value;
      this.readAt = this.now();
      return value;
    } catch (error) {
      if (this.value !== undefined) {
        this.options.onStaleRead?.(error);
        // Keep the old value, and try again in at most 30 s rather than on every call.
        this.readAt = this.now() - this.maxAgeMs + Math.min(30_000, this.maxAgeMs);
        return this.value;
      }
      throw new ParameterStoreError(`cannot read ${this.parameterName}: ${describeError(error)}`, { cause: error });
    }
  }
}
