import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";

/**
 * Compares a typed key with the configured one in constant time. Both sides are HMACed first so
 * the comparison length never depends on the input.
 */
export function keysMatch(given: string, expected: string): boolean {
  const a = createHmac("sha256", "sessionboard:key-compare").update(given).digest();
  const b = createHmac("sha256", "sessionboard:key-compare").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A static-key session records which key it signed in with as an HMAC under DASHBOARD_SECRET (never
 * the key itself). When DASHBOARD_KEY or DASHBOARD_ADMIN_KEY changes, sessions whose fingerprint no
 * longer matches end at their next request. Every secret in the list is accepted, so rotating
 * DASHBOARD_SECRET the documented way does not end them.
 */
export function keyFingerprint(secret: string, key: string): string {
  return createHmac("sha256", secret).update(`sessionboard:key-fingerprint:${key}`).digest("base64url");
}

type Fingerprints = { user: Set<string>; admin: Set<string> };
const cache = new WeakMap<Config, Fingerprints>();

export function currentFingerprints(config: Config): Fingerprints {
  let prints = cache.get(config);
  if (!prints) {
    prints = {
      user: new Set(config.secrets.map((s) => keyFingerprint(s, config.userKey))),
      admin: new Set(config.secrets.map((s) => keyFingerprint(s, config.adminKey))),
    };
    cache.set(config, prints);
  }
  return prints;
}

/** The key a username must sign in with: admins use DASHBOARD_ADMIN_KEY, everyone else DASHBOARD_KEY. */
export function expectedKeyFor(config: Config, username: string): { key: string; admin: boolean } {
  const admin = config.admins.has(username);
  return { key: admin ? config.adminKey : config.userKey, admin };
}
