import { formatIp, ipNumber } from "../net/cidr";

/** What new-device alerts compare addresses by: the /24 of IPv4, the /48 of IPv6. */
const NETWORK_BITS = { 4: 24, 6: 48 } as const;
const WIDTH = { 4: 32, 6: 128 } as const;

/**
 * The network an address belongs to, as new-device alerts compare them: "203.0.113.0/24",
 * "2001:db8:1::/48". An IPv4-mapped IPv6 address (::ffff:203.0.113.4, in either notation) counts as
 * its IPv4 address. "" for an unknown or unparsable address.
 */
export function addressNetwork(ip: string | null): string {
  const address = ip ? ipNumber(ip) : null;
  if (!address) return "";
  let { version, value } = address;
  if (version === 6 && value >> 32n === 0xffffn) {
    version = 4;
    value &= 0xffffffffn;
  }
  const bits = NETWORK_BITS[version];
  const hostMask = (1n << BigInt(WIDTH[version] - bits)) - 1n;
  return `${formatIp(version, value & ~hostMask)}/${bits}`;
}
