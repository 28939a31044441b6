import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { emulatorClientConfig } from "../../operator/aws/emulatorDefaults";
import { spawnServer, waitUntil, type ChildServer } from "./childServer";
import { freePort } from "./freePort";
import { requireTool } from "./missingTool";

/**
 * A `moto_server` (the AWS emulator) of its own on a free loopback port. Ready means an SSM call
 * succeeded, not only that the port answers: moto loads a service lazily on its first call.
 *
 * @example
 * ```ts
 * const moto = await LocalMotoServer.start();
 * const ssm = new SSMClient(emulatorClientConfig(moto.endpoint));
 * ```
 */
export class LocalMotoServer {
  private constructor(
    public readonly port: number,
    private readonly server: ChildServer,
  ) {}

  /** Starts moto; fails with an install hint when `moto_server` is not on PATH. */
  public static async start(): Promise<LocalMotoServer> {
    requireTool("moto_server");
    const port = await freePort();
    const server = spawnServer("moto_server", ["-H", "127.0.0.1", "-p", String(port)]);
    const moto = new LocalMotoServer(port, server);
    const ssm = new SSMClient({ ...emulatorClientConfig(moto.endpoint), maxAttempts: 1 });
    try {
      await waitUntil(
        `moto_server on port ${port}`,
        async () => {
          if (server.process.exitCode !== null) throw new Error(`moto_server exited: ${server.output()}`);
          await ssm.send(new DescribeParametersCommand({ MaxResults: 1 }));
          return true;
        },
        30_000,
        200,
      );
    } catch (error) {
      await server.stop();
      throw error;
    } finally {
      ssm.destroy();
    }
    return moto;
  }

  /** `http://127.0.0.1:<port>`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** PID of the `moto_server` process (undefined once it exited). */
  public get pid(): number | undefined {
    const child = this.server.process;
    return child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Stops the emulator (its state is gone). */
  public async stop(): Promise<void> {
    await this.server.stop();
  }
}
