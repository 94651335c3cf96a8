import { isIP } from "node:net";
import type { Config } from "../config";
import { headerText } from "./header-text";
import { proxyLocation } from "./location";
import type { HeaderSource, RequestInfo } from "./types";

/**
 * The server entry point (server.mjs) overwrites this header with the socket's address on every
 * request, so clients cannot forge it; Next alone only offers a client-controlled X-Forwarded-For.
 */
export const PEER_HEADER = "x-sessionboard-peer";

/** The client's address: the socket's, or — with DASHBOARD_TRUST_PROXY=N — the address N proxies back. */
export function clientIp(headers: HeaderSource, config: Pick<Config, "trustedProxyHops">): string | null {
  const header = headers.get("x-forwarded-for");
  const forwarded = header === null || header.trim() === "" ? [] : header.split(",");
  const peer = headers.get(PEER_HEADER);
  // Without server.mjs in front (e.g. `next dev`), Next puts the socket address in X-Forwarded-For.
  const chain = peer !== null ? [...(config.trustedProxyHops > 0 ? forwarded : []), peer] : forwarded;
  if (chain.length === 0) return null;
  // Hops are counted on the chain as written: dropping an entry that is no address would move a
  // client-written one into the trusted proxy's place.
  return normalizeIp(withoutPort(chain[Math.max(0, chain.length - 1 - config.trustedProxyHops)]));
}

/** Some proxies write the client's port with its address ("203.0.113.5:51234", "[2001:db8::1]:443"). */
function withoutPort(entry: string): string {
  const text = entry.trim();
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4) return v4[1];
  const v6 = /^(\[[^\]]+\]):\d{1,5}$/.exec(text);
  return v6 ? v6[1] : text;
}

/**
 * Trims, strips brackets and IPv4-mapped IPv6 prefixes, and writes IPv6 in its compact form
 * (2001:db8::1); null for anything that is not an IP.
 */
export function normalizeIp(value: string): string | null {
  let ip = value.trim();
  if (ip.startsWith("[") && ip.includes("]")) ip = ip.slice(1, ip.indexOf("]"));
  if (ip.toLowerCase().startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  const version = isIP(ip);
  if (version === 4) return ip;
  // The WHATWG URL parser serialises IPv6 hosts in RFC 5952's compact, lower-case form.
  if (version === 6) return ip.includes("%") ? ip.toLowerCase() : new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return null;
}

export function requestInfo(headers: HeaderSource, config: Pick<Config, "trustedProxyHops" | "locationHeaders">): RequestInfo {
  return {
    ip: clientIp(headers, config),
    // Kept on the session and in the audit trail: clean, as all text from outside (Node lets C1 controls through).
    userAgent: headerText(headers.get("user-agent"), 512),
    location: proxyLocation(headers, config),
  };
}
