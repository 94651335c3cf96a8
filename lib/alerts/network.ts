import { isIPv4, isIPv6 } from "node:net";

/**
 * The network an address belongs to, as new-device alerts compare them: the /24 of an IPv4 address
 * ("203.0.113.0/24"), the /48 of an IPv6 one ("2001:db8:1::/48"); an IPv4-mapped IPv6 address
 * (::ffff:203.0.113.4) counts as its IPv4 address. "" for an unknown or unparsable address.
 */
export function addressNetwork(ip: string | null): string {
  if (!ip) return "";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  if (isIPv4(address)) return `${address.split(".").slice(0, 3).join(".")}.0/24`;
  if (!isIPv6(address)) return "";
  const groups = expandIPv6(address);
  if (!groups) return "";
  // Mapped addresses written in hex groups (::ffff:cb00:7104) are IPv4 too.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0/24`;
  }
  return `${groups.slice(0, 3).map((g) => g.toString(16)).join(":")}::/48`;
}

/** The eight 16-bit groups of a valid IPv6 address (a zone id and an embedded IPv4 tail allowed). */
function expandIPv6(address: string): number[] | null {
  let text = address.split("%")[0];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split(".").map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<number>(Math.max(missing, 0)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}
