import { toError } from "../../common/errors";
import { ClientOptionsError } from "../errors";
import type { HostEnvironment, InterfaceList } from "./hostEnvironment";
import { addressFamily, unregistrableReason, type AddressFamily } from "./ipAddress";
import { readTaskNetwork, TASK_METADATA_ENV, type TaskNetwork } from "./taskMetadata";

/** What the options say about the address to register. */
export interface AddressRequest {
  /** `registration.address`, already checked registrable. */
  address?: string;
  /** `registration.port`, when given. */
  port?: number;
  /** The refresh server's port (the container port), for the bridge-mode hint. */
  serverPort?: number;
}

/** The address an instance registers. */
export interface InstanceAddress {
  address: string;
  family: AddressFamily;
}

/** Network modes where the container's own address is reachable only from its host (Docker's bridge, Windows NAT). */
const HOST_ONLY_MODES = new Set(["bridge", "nat"]);

/**
 * The address the refresh function can call this instance at. In an ECS task
 * (`ECS_CONTAINER_METADATA_URI_V4` set) it comes from the task metadata: awsvpc gives the task
 * ENI's address (IPv4, else IPv6); bridge mode needs `registration.address` and `registration.port`
 * (the host's); host mode reads the interfaces. Elsewhere: the first non-internal, non-link-local
 * interface address, IPv4 first. Never a link-local address. Throws `ClientOptionsError` saying why
 * and naming the option to set.
 *
 * @example
 * ```ts
 * const { address, family } = await resolveInstanceAddress({ serverPort: 50051 }, SYSTEM_HOST);
 * ```
 */
export async function resolveInstanceAddress(request: AddressRequest, host: HostEnvironment): Promise<InstanceAddress> {
  const metadataUri = host.env[TASK_METADATA_ENV];
  if (request.address !== undefined && (request.port !== undefined || !metadataUri)) return given(request.address);
  if (!metadataUri) return interfaceAddress(host.networkInterfaces());
  let network: TaskNetwork;
  try {
    network = await readTaskNetwork(metadataUri, host.metadataTimeoutMs);
  } catch (error) {
    throw problem(
      "registration.address",
      `${TASK_METADATA_ENV} is set but ${toError(error).message}; ` +
        "pass registration.address and registration.port to register without it",
    );
  }
  if (HOST_ONLY_MODES.has(network.mode)) throw hostOnlyProblem(network, request.serverPort);
  if (request.address !== undefined) return given(request.address);
  if (network.mode === "awsvpc") return taskEniAddress(network);
  if (network.mode === "host") return interfaceAddress(host.networkInterfaces());
  throw problem(
    "registration.address",
    `the task's network mode is ${network.mode}: ` +
      "it has no address the refresh function can call; pass registration.address",
  );
}

/** The first non-internal, non-link-local address of the interfaces (IPv4 first), or a problem naming what was seen. */
export function interfaceAddress(interfaces: InterfaceList): InstanceAddress {
  const candidates = Object.entries(interfaces).flatMap(([name, addresses]) =>
    (addresses ?? []).filter((a) => !a.internal).map((a) => ({ name, address: a.address })),
  );
  const found = firstRegistrable(candidates.map((c) => c.address));
  if (found) return found;
  const seen = candidates.map((c) => `${c.name} ${c.address}`).join(", ") || "no non-internal address at all";
  throw problem(
    "registration.address",
    `${TASK_METADATA_ENV} is not set (not an ECS task) and this host has no ` +
      `non-internal address that is not link-local (${seen}): the refresh function could not reach it; ` +
      "pass registration.address (the address the refresh function calls this instance at)",
  );
}

function given(address: string): InstanceAddress {
  return { address, family: addressFamily(address) as AddressFamily };
}

function firstRegistrable(addresses: readonly string[]): InstanceAddress | undefined {
  for (const family of ["IPv4", "IPv6"] as const) {
    const address = addresses.find((a) => addressFamily(a) === family && !unregistrableReason(a));
    if (address) return { address, family };
  }
  return undefined;
}

function taskEniAddress(network: TaskNetwork): InstanceAddress {
  const listed = [...network.ipv4Addresses, ...network.ipv6Addresses];
  const found = firstRegistrable(listed);
  if (found) return found;
  throw problem(
    "registration.address",
    "the task metadata lists no registrable address for the task's ENI " +
      `(${listed.join(", ") || "none"}); pass registration.address`,
  );
}

function hostOnlyProblem(network: TaskNetwork, serverPort: number | undefined): ClientOptionsError {
  const containerAddress = network.ipv4Addresses[0] ?? network.ipv6Addresses[0] ?? "its container address";
  const hostPorts = [...new Set(network.ports.filter((p) => p.containerPort === serverPort).map((p) => p.hostPort))];
  const hint =
    hostPorts.length > 0 && hostPorts.every((p) => p !== undefined)
      ? ` (the task metadata maps container port ${serverPort} to host port ${hostPorts.join(", ")})`
      : "";
  return problem(
    "registration",
    `this ECS task uses the ${network.mode} network mode: ${containerAddress} is ` +
      "reachable only from its EC2 host, never from the refresh function; pass registration.address (the host's " +
      `private address) and registration.port (the host port mapped to the refresh server's port${hint}), ` +
      "or run the task in awsvpc mode",
  );
}

function problem(option: string, detail: string): ClientOptionsError {
  return new ClientOptionsError([`${option}: ${detail}`]);
}
