import { isIP } from "node:net";
import { normalizeIp } from "../request/request-info";

/** A CIDR block: its network as a number, the prefix length, and the address family. */
export type Cidr = { version: 4 | 6; network: bigint; bits: number; text: string };

const WIDTH = { 4: 32, 6: 128 } as const;

/** An address as a number (IPv6 zone ids dropped); null for anything that is not an IP. */
export function ipNumber(value: string): { version: 4 | 6; value: bigint } | null {
  const ip = normalizeIp(value.split("%")[0] ?? "");
  if (ip === null) return null;
  if (isIP(ip) === 4) return { version: 4, value: ip.split(".").reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n) };
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, null];
  const groups = (text: string | null | undefined) => (text ? text.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === null ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return { version: 6, value: all.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

/**
 * Whether `text` is an address or could begin one as addresses are stored (normalizeIp: IPv4 in
 * dotted decimal, IPv6 in lower-case hex groups): "10.1.", "2001:db8:" can; "999.1.1.1" cannot.
 */
export function canStartAddress(text: string): boolean {
  if (isIP(text)) return true;
  if (/^[0-9.]*\.[0-9.]*$/.test(text)) {
    const octets = text.split(".");
    // Four at most; only the last may be empty (still to be typed); no leading zeros, as stored.
    return octets.length <= 4 && octets.every((octet, i) => (octet === "" ? i > 0 && i === octets.length - 1 : /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255));
  }
  // IPv6 as stored (RFC 5952): groups without leading zeros, one "::" at most, eight groups in all.
  if (!/^[0-9a-f:]+$/.test(text) || text.includes(":::") || text.split("::").length > 2) return false;
  if (text.startsWith(":") && !text.startsWith("::") && text !== ":") return false;
  const groups = text.split(":");
  const written = groups.filter((group) => group !== "");
  if (!written.every((group) => /^(0|[1-9a-f][0-9a-f]{0,3})$/.test(group))) return false;
  // With "::", the groups it stands for leave room for seven written ones at most; without, eight,
  // and after the eighth nothing more can follow.
  return text.includes("::") ? written.length <= 7 : written.length < 8 || (written.length === 8 && !text.endsWith(":"));
}

/**
 * "10.0.0.0/8", "2001:db8::/32" as a block; an error message when it is not one. Bits set past the
 * prefix length are refused (10.1.2.3/8 is most likely a typo for 10.1.2.0/24 or 10.0.0.0/8).
 */
export function parseCidr(value: string): Cidr | string {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value.trim());
  const address = match ? ipNumber(match[1]) : null;
  if (!match || !address || match[1].includes("%")) return `${value} is not a CIDR block (e.g. 10.0.0.0/8 or 2001:db8::/32)`;
  const bits = Number(match[2]);
  const width = WIDTH[address.version];
  if (bits > width) return `the prefix length of ${value} must be at most ${width}`;
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  if ((address.value & hostMask) !== 0n) {
    return `${value} has address bits set past /${bits}: did you mean ${formatIp(address.version, address.value & ~hostMask)}/${bits}?`;
  }
  return { version: address.version, network: address.value, bits, text: `${formatIp(address.version, address.value)}/${bits}` };
}

/** Whether a stored address lies in the block. */
export function cidrContains(cidr: Cidr, ip: string | null): boolean {
  if (!ip) return false;
  const address = ipNumber(ip);
  if (!address || address.version !== cidr.version) return false;
  const shift = BigInt(WIDTH[cidr.version] - cidr.bits);
  return address.value >> shift === cidr.network >> shift;
}

/**
 * The longest text every address of the block starts with as stored (normalizeIp: dotted IPv4,
 * RFC 5952 compact IPv6), so that an index range can narrow the rows before the exact check; ""
 * when none is safe. IPv4: the whole octets the prefix fixes, then ".". IPv6: the fixed leading
 * groups up to the first zero one (a zero group may be written as "::"), then ":".
 */
export function cidrTextPrefix(cidr: Cidr): { exact: string } | { prefix: string } {
  const width = WIDTH[cidr.version];
  if (cidr.bits === width) return { exact: formatIp(cidr.version, cidr.network) };
  if (cidr.version === 4) {
    const octets = formatIp(4, cidr.network).split(".").slice(0, Math.floor(cidr.bits / 8));
    return { prefix: octets.length > 0 ? `${octets.join(".")}.` : "" };
  }
  const groups: string[] = [];
  for (let i = 0; i < Math.floor(cidr.bits / 16); i++) {
    const group = (cidr.network >> BigInt(112 - 16 * i)) & 0xffffn;
    if (group === 0n) break;
    groups.push(group.toString(16));
  }
  return { prefix: groups.length > 0 ? `${groups.join(":")}:` : "" };
}

/** An address number as stored (normalizeIp: dotted IPv4, RFC 5952 compact IPv6). */
export function formatIp(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return normalizeIp(groups.join(":")) ?? groups.join(":");
}

/**
 * The block an address belongs to, `bits` long by family ({ 4: 24, 6: 48 }: "203.0.113.0/24",
 * "2001:db8:1::/48"). An IPv4-mapped IPv6 address (::ffff:203.0.113.4, either notation) counts as
 * its IPv4 address. null for anything that is not an address.
 */
export function addressBlock(ip: string, bits: { 4: number; 6: number }): string | null {
  const address = ipNumber(ip);
  if (!address) return null;
  let { version, value } = address;
  if (version === 6 && value >> 32n === 0xffffn) {
    version = 4;
    value &= 0xffffffffn;
  }
  const hostMask = (1n << BigInt(WIDTH[version] - bits[version])) - 1n;
  return `${formatIp(version, value & ~hostMask)}/${bits[version]}`;
}

/**
 * What counts as one client when failures are counted (the sign-in limit, the summarised audit
 * row): an IPv4 address, or the IPv6 /64 it is in — a host is given a whole /64 and may send from
 * any address in it, which would otherwise be a fresh limit for every guess. Text that is not an
 * address counts as itself.
 */
export const clientBlock = (ip: string): string => addressBlock(ip, { 4: 32, 6: 64 }) ?? ip;
