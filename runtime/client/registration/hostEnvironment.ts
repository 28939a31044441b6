import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/** The network interfaces of a host, as `os.networkInterfaces()` lists them. */
export type InterfaceList = Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;

/**
 * What the client reads from the machine it runs on to decide what it registers: the environment
 * (`ECS_CONTAINER_METADATA_URI_V4`, `CONFIG_REFRESH_PORT`) and the interfaces. Tests pass their own.
 */
export interface HostEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  networkInterfaces(): InterfaceList;
  /** Time-out of one GET of the ECS task metadata endpoint, ms. */
  readonly metadataTimeoutMs: number;
}

/** The process's own environment and interfaces. */
export const SYSTEM_HOST: HostEnvironment = { env: process.env, networkInterfaces, metadataTimeoutMs: 2_000 };
