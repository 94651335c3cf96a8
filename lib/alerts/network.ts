import { addressBlock } from "../net/cidr";

/**
 * The network an address belongs to, as new-device alerts compare them: the /24 of IPv4, the /48 of
 * IPv6 ("203.0.113.0/24", "2001:db8:1::/48"). An IPv4-mapped IPv6 address counts as its IPv4
 * address. "" for an unknown or unparsable address.
 */
export function addressNetwork(ip: string | null): string {
  return (ip && addressBlock(ip, { 4: 24, 6: 48 })) || "";
}
