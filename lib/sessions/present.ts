import { z } from "zod";
import { ROLES } from "../auth/roles";
import type { CurrentSession } from "./sessions";
import type { Prisma } from "../db";
import { DEVICE_TYPES, describeUserAgent } from "./user-agent";
import { SESSION_END_CAUSE_CODES, isSessionEndCause, type SessionEndCause } from "./end-reasons";
import { SYSTEM_ACTOR } from "../actor";

export { DEVICE_TYPES, describeUserAgent, type DeviceInfo, type DeviceType } from "./user-agent";

/** How every API answer writes a moment: ISO 8601 in UTC, as Date.toISOString() does. */
export const isoTimeSchema = z.iso.datetime();

/**
 * The API's session object, described once: presentSession builds it (typed by this schema) and the
 * OpenAPI description publishes it. Never parsed at run time.
 */
export const sessionJsonSchema = z.object({
  id: z.string().describe("Public id: revoke by this, never by the token"),
  tokenHint: z.string().describe("The token's last 8 characters; the token and its hash never leave the server"),
  current: z.boolean().describe("Whether this is the session making the request"),
  authMethod: z.enum(["static", "oidc"]).describe("static: signed in with a key; oidc: single sign-on"),
  ipAddress: z.string().nullable(),
  country: z.string().nullable().describe("Approximate, from a trusted proxy at sign-in (ISO 3166-1 alpha-2)"),
  city: z.string().nullable().describe("Approximate, from a trusted proxy at sign-in"),
  userAgent: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  deviceType: z.enum(DEVICE_TYPES),
  rememberMe: z.boolean(),
  createdAt: isoTimeSchema,
  lastActiveAt: isoTimeSchema,
  expiresAt: isoTimeSchema,
  endedAt: isoTimeSchema.nullable().describe("When it ended; null while it is active"),
  endReason: z
    .enum(SESSION_END_CAUSE_CODES)
    .nullable()
    .describe("What ended it: logout, revoked_by_user, revoked_by_admin, revoked_all, expired_idle, expired_absolute, key_changed, disabled, idp_logout, per_user_limit; null while it is active"),
  endedBy: z.string().nullable().describe("Who ended it: a username, or system, idp, cli, email-link; null while it is active"),
});
export type SessionJson = z.infer<typeof sessionJsonSchema>;

/** GET /api/auth/session: who is signed in, and this session. */
export const signedInAnswerSchema = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    role: z.enum(ROLES).describe("Derived from the configuration (or the SSO claims) on every request"),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
  }),
  session: sessionJsonSchema,
});
export type SignedInAnswer = z.infer<typeof signedInAnswerSchema>;

/** POST /api/auth/logout (JSON). */
export const logoutAnswerSchema = z.object({
  loggedOut: z.boolean().describe("false when the request had no active session"),
  identityProviderLogout: z
    .string()
    .optional()
    .describe("After a single sign-on session: where the browser may go to sign out at the identity provider too"),
});
export type LogoutAnswer = z.infer<typeof logoutAnswerSchema>;

type PresentableSession = Pick<
  CurrentSession,
  "id" | "tokenHint" | "ipAddress" | "country" | "city" | "userAgent" | "rememberMe" | "createdAt" | "lastActiveAt" | "expiresAt"
> & { authMethod: string } & Partial<Pick<Prisma.SessionGetPayload<object>, "revokedAt" | "revokedBy" | "endReason" | "absoluteExpiresAt">>;

export type SessionEnd = { endedAt: Date; endReason: SessionEndCause; endedBy: string | null };

/**
 * How a session ended, or null while it has not: what its row records, or — for an expiry nobody
 * saw yet (cleanup marks those) — its expiry. A static session whose key changed ends (and is marked)
 * at its next request; until then it shows no end.
 */
export function sessionEnd(session: PresentableSession, now: Date): SessionEnd | null {
  if (session.revokedAt) {
    return { endedAt: session.revokedAt, endReason: isSessionEndCause(session.endReason) ? session.endReason : "revoked_by_admin", endedBy: session.revokedBy ?? null };
  }
  const cap = session.absoluteExpiresAt ?? session.expiresAt;
  const expiry = cap < session.expiresAt ? cap : session.expiresAt;
  if (expiry > now) return null;
  return { endedAt: expiry, endReason: cap <= session.expiresAt ? "expired_absolute" : "expired_idle", endedBy: SYSTEM_ACTOR.username };
}

/** The API's session object: never the token or its hash, only the 8-character hint. */
export function presentSession(session: PresentableSession, currentSessionId: string | null, now = new Date()): SessionJson {
  const end = sessionEnd(session, now);
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
    endedAt: end ? end.endedAt.toISOString() : null,
    endReason: end?.endReason ?? null,
    endedBy: end?.endedBy ?? null,
  };
}

/** The token as pages show it: masked but for its last characters. */
export const maskToken = (hint: string) => `••••••••${hint}`;

/** The same in words, for names read aloud ("ending in 1daadfc7"): screen readers spell out each "•". */
export const tokenEnding = (hint: string) => `ending in ${hint}`;
