import { actorInWords, CLI_ACTOR, EMAIL_LINK_ACTOR, IDENTITY_PROVIDER_ACTOR, SYSTEM_ACTOR } from "../actor";
import type { ActivityJson } from "./activity";
import type { SessionEndCause } from "./end-reasons";
import type { DeviceType, SessionJson } from "./present";
import { maskToken, tokenEnding } from "./present";
import { timeView, type TimeView } from "../time-view";

/**
 * A session as a row of a list shows it (Settings > Sessions' cards and "Recently ended", and the
 * revoke confirmation): all that goes to the browser for each row there.
 */
export type SessionRowView = {
  id: string;
  current: boolean;
  maskedToken: string;
  /** "ending in 1daadfc7": the token in accessible names (tokenEnding). */
  tokenEnding: string;
  /** "Chrome 131 on Windows 10": the card's headline. */
  title: string;
  deviceType: DeviceType;
  device: string;
  userAgent: string | null;
  /** "München, Germany · 2001:db8::17", or only the address when no place is known: the list's "where". */
  where: string;
  method: string;
  lastActive: TimeView;
  /** How it ended, in words for whoever is looking; null while it is active. */
  ended: { at: TimeView; why: string } | null;
};

/** A session with everything its own page shows. */
export type SessionView = SessionRowView & {
  browser: string;
  os: string;
  ip: string;
  location: string | null;
  rememberMe: string;
  created: TimeView;
  expires: TimeView;
};

/** Who looks at an ended session: its owner, or an admin; both by username. */
export type EndViewer = { as: "owner"; username: string } | { as: "admin"; owner: string };

/** The product's own actors, as words. */
const actorWords = (by: string | null): string | null =>
  by === CLI_ACTOR.username ? actorInWords(by) : by === SYSTEM_ACTOR.username || by === IDENTITY_PROVIDER_ACTOR.username ? null : by;

/**
 * What ended a session, in words for the person looking: "Signed out", "Revoked by you from another
 * session", "Revoked by an administrator (alice)", "Expired after inactivity", ...
 */
export function endWords(cause: SessionEndCause, by: string | null, viewer: EndViewer): string {
  const owner = viewer.as === "owner" ? viewer.username : viewer.owner;
  const byOwner = by === owner;
  const you = viewer.as === "owner" ? "you" : "its owner";
  const admin = by === CLI_ACTOR.username ? actorInWords(by) : `an administrator${actorWords(by) ? ` (${by})` : ""}`;
  switch (cause) {
    case "logout":
      return "Signed out";
    case "revoked_by_user":
      return by === EMAIL_LINK_ACTOR.username ? `Revoked by ${you} from the new-device email` : `Revoked by ${you} from another session`;
    case "revoked_by_admin":
      return `Revoked by ${admin}`;
    case "revoked_all":
      return byOwner ? `Signed out by ${you} with all other sessions` : `Revoked with all sessions by ${admin}`;
    case "expired_idle":
      return "Expired after inactivity";
    case "expired_absolute":
      return "Reached its maximum length";
    case "key_changed":
      return "The sign-in key changed";
    case "disabled":
      return "Account disabled";
    case "idp_logout":
      return "Signed out at the identity provider";
    case "per_user_limit":
      return "Ended by a newer sign-in (session limit)";
    case "idp_revoked":
      return "Identity provider ended it";
    case "idp_unreachable":
      return "Identity provider could not confirm it";
  }
}

export const DEVICE_LABELS: Record<DeviceType, string> = {
  desktop: "Desktop",
  mobile: "Mobile",
  tablet: "Tablet",
  other: "Other device",
  unknown: "Unknown device",
};

/** How pages name a sign-in method. */
export const METHOD_LABELS: Record<string, string> = { oidc: "SSO", static: "Key" };

/** The address and the place it was signed in from, in words: the row's "where" and the page's two fields. */
const origin = (session: SessionJson) => ({ ip: session.ipAddress ?? "Unknown", location: locationLabel(session.country, session.city) });

/** What a row of a list shows for one session, from the same object the API returns. */
export function toSessionRowView(session: SessionJson, now: Date, viewer?: EndViewer): SessionRowView {
  const { ip, location } = origin(session);
  return {
    id: session.id,
    current: session.current,
    maskedToken: maskToken(session.tokenHint),
    tokenEnding: tokenEnding(session.tokenHint),
    title:
      session.browser && session.os
        ? `${session.browser} on ${session.os}`
        : (session.browser ?? session.os ?? "Unknown browser"),
    deviceType: session.deviceType,
    device: DEVICE_LABELS[session.deviceType],
    userAgent: session.userAgent,
    where: location ? `${location} · ${ip}` : ip,
    method: METHOD_LABELS[session.authMethod] ?? session.authMethod,
    lastActive: timeView(session.lastActiveAt, now),
    ended:
      session.endedAt && session.endReason
        ? { at: timeView(session.endedAt, now), why: endWords(session.endReason, session.endedBy, viewer ?? { as: "owner", username: "" }) }
        : null,
  };
}

/** Everything a session's own page shows: its row, and the rest. */
export function toSessionView(session: SessionJson, now: Date, viewer?: EndViewer): SessionView {
  return {
    ...toSessionRowView(session, now, viewer),
    browser: session.browser ?? "Unknown browser",
    os: session.os ?? "Unknown OS",
    ...origin(session),
    rememberMe: session.rememberMe ? "Yes" : "No (ends when the browser closes)",
    created: timeView(session.createdAt, now),
    expires: timeView(session.expiresAt, now),
  };
}

export type ActivityView = { key: string; ip: string; place: string | null; browser: string; firstSeen: TimeView; lastSeen: TimeView };

/** One row of "Where it was used": the address, the place, the browser, first and last seen. */
export function toActivityView(entry: ActivityJson, now: Date): ActivityView {
  const browser = entry.browser && entry.os ? `${entry.browser} on ${entry.os}` : (entry.browser ?? entry.os ?? "Unknown browser");
  return {
    key: `${entry.ipAddress ?? ""} ${entry.userAgent ?? ""}`,
    ip: entry.ipAddress ?? "Unknown address",
    place: locationLabel(entry.country, entry.city),
    browser,
    firstSeen: timeView(entry.firstSeenAt, now),
    lastSeen: timeView(entry.lastSeenAt, now),
  };
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** "München, Germany"; "Tor network" for Cloudflare's T1; null when the proxy reported nothing. */
export function locationLabel(country: string | null, city: string | null): string | null {
  let countryName: string | null = null;
  if (country === "T1") countryName = "Tor network";
  else if (country) {
    try {
      countryName = regionNames.of(country) ?? country;
    } catch {
      countryName = country;
    }
  }
  const parts = [city, countryName].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}
