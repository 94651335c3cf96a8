import { UAParser } from "ua-parser-js";
import type { CurrentSession } from "./sessions";

export type DeviceType = "desktop" | "mobile" | "tablet" | "other" | "unknown";
export type DeviceInfo = { browser: string | null; os: string | null; deviceType: DeviceType };

const parsed = new Map<string, DeviceInfo>();

/** Browser, OS and device type from a user agent (ua-parser-js 1.x, MIT). Memoised: few distinct UAs. */
export function describeUserAgent(userAgent: string | null): DeviceInfo {
  if (!userAgent) return { browser: null, os: null, deviceType: "unknown" };
  let info = parsed.get(userAgent);
  if (!info) {
    const result = new UAParser(userAgent).getResult();
    const join = (name?: string, version?: string) => (name ? [name, version].filter(Boolean).join(" ") : null);
    const browser = join(result.browser.name, result.browser.version?.split(".")[0]);
    const os = join(result.os.name, result.os.version);
    const type = result.device.type;
    const deviceType: DeviceType =
      type === "mobile" || type === "wearable"
        ? "mobile"
        : type === "tablet"
          ? "tablet"
          : type
            ? "other"
            : browser || os
              ? "desktop"
              : "other";
    info = { browser, os, deviceType };
    if (parsed.size > 1000) parsed.clear();
    parsed.set(userAgent, info);
  }
  return info;
}

export type SessionJson = {
  id: string;
  tokenHint: string;
  current: boolean;
  authMethod: "static" | "oidc";
  ipAddress: string | null;
  /** Approximate location from a trusted proxy at sign-in (ISO 3166-1 alpha-2, city name). */
  country: string | null;
  city: string | null;
  userAgent: string | null;
  rememberMe: boolean;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
} & DeviceInfo;

type PresentableSession = Pick<
  CurrentSession,
  "id" | "tokenHint" | "ipAddress" | "country" | "city" | "userAgent" | "rememberMe" | "createdAt" | "lastActiveAt" | "expiresAt"
> & { authMethod: string };

/** The API's session object: never the token or its hash, only the 8-character hint. */
export function presentSession(session: PresentableSession, currentSessionId: string | null): SessionJson {
  return {
    id: session.id,
    tokenHint: session.tokenHint,
    current: session.id === currentSessionId,
    authMethod: session.authMethod === "oidc" ? "oidc" : "static",
    ipAddress: session.ipAddress,
    country: session.country,
    city: session.city,
    userAgent: session.userAgent,
    ...describeUserAgent(session.userAgent),
    rememberMe: session.rememberMe,
    createdAt: session.createdAt.toISOString(),
    lastActiveAt: session.lastActiveAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
  };
}

export const maskToken = (hint: string) => `••••••••${hint}`;
