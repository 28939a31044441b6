import { isIP } from "node:net";

/** The two address families Cloud Map registers (`AWS_INSTANCE_IPV4`, `AWS_INSTANCE_IPV6`). */
export type AddressFamily = "IPv4" | "IPv6";

/** The family of an IP address, or undefined when the text is not one. */
export function addressFamily(address: string): AddressFamily | undefined {
  const version = isIP(address);
  return version === 4 ? "IPv4" : version === 6 ? "IPv6" : undefined;
}

const LINK_LOCAL_WHY = "every host has it, no other host reaches it";

/**
 * Why an address can never be registered, or undefined when it can: a link-local address
 * (169.254.0.0/16, fe80::/10) is the same on every host (on Fargate 169.254.172.2 is the task
 * metadata side of `eth0`), and an unspecified one (0.0.0.0, ::) names no host at all.
 */
export function unregistrableReason(address: string): string | undefined {
  const family = addressFamily(address);
  if (!family) return `${address} is not an IP address`;
  const v4 = family === "IPv4" ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4 !== undefined) {
    if (v4.startsWith("169.254.")) return `${address} is link-local (169.254.0.0/16): ${LINK_LOCAL_WHY}`;
    if (v4 === "0.0.0.0") return `${address} is the unspecified address`;
    return undefined;
  }
  if (/^[0:]+$/.test(address)) return `${address} is the unspecified address`;
  const firstGroup = Number.parseInt(address.split(":")[0] || "0", 16);
  if ((firstGroup & 0xffc0) === 0xfe80) return `${address} is link-local (fe80::/10): ${LINK_LOCAL_WHY}`;
  return undefined;
}
