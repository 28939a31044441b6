import type { ServiceError } from "@grpc/grpc-js";
import {
  createRefreshClient,
  refreshTokenMetadata,
  type RefreshResponse,
  type RefreshServiceClient,
  type StateResponse,
  type WireParameterChange,
} from "../../../../runtime/protocol";
import { Metadata } from "@grpc/grpc-js";

/** Promise wrappers around one instance's refresh server. */
export class RefreshCaller {
  private readonly client: RefreshServiceClient;

  public constructor(port: number) {
    this.client = createRefreshClient(`127.0.0.1:${port}`);
  }

  /** Calls Refresh; `token` undefined sends no token. */
  public refresh(changes: WireParameterChange[], token: string | undefined): Promise<RefreshResponse> {
    return new Promise((resolve, reject) =>
      this.client.Refresh(
        { changes, eventId: "test", sentAtMs: Date.now() },
        this.metadata(token),
        { deadline: Date.now() + 5_000 },
        (error, response) => (error ? reject(error) : resolve(response as RefreshResponse)),
      ),
    );
  }

  /** Calls Validate; `token` undefined sends no token. */
  public validate(changes: WireParameterChange[], token: string | undefined): Promise<RefreshResponse> {
    return new Promise((resolve, reject) =>
      this.client.Validate(
        { changes, eventId: "test", sentAtMs: Date.now() },
        this.metadata(token),
        { deadline: Date.now() + 5_000 },
        (error, response) => (error ? reject(error) : resolve(response as RefreshResponse)),
      ),
    );
  }

  public state(prefix: string, token: string | undefined): Promise<StateResponse> {
    return new Promise((resolve, reject) =>
      this.client.State({ prefix }, this.metadata(token), { deadline: Date.now() + 5_000 }, (error, response) =>
        error ? reject(error) : resolve(response as StateResponse),
      ),
    );
  }

  public close(): void {
    this.client.close();
  }

  private metadata(token: string | undefined): Metadata {
    return token === undefined ? new Metadata() : refreshTokenMetadata(token);
  }
}

/** The gRPC status code of a failed call. */
export function statusOf(error: unknown): number | undefined {
  return (error as ServiceError).code;
}
