import type { Config, OidcConfig } from "../config";
import { fail } from "../errors";
import { currentFingerprints } from "./keys";

export const ROLES = ["admin", "user"] as const;
export type Role = (typeof ROLES)[number];

/** A DASHBOARD_ADMINS entry that names an SSO subject of the configured issuer (subjects are case-sensitive). */
export const ssoAdminEntry = (subject: string) => `oidc:${subject}`;

/**
 * The role is derived on every request from the configuration, never trusted from the database:
 * removing a name from DASHBOARD_ADMINS takes admin away at that user's next request. A static-key
 * session is admin only if it also signed in with the admin key.
 */
export function roleFor(
  config: Config,
  session: { authMethod: "static" | "oidc"; keyFingerprint: string | null; username: string; oidcIssuer?: string | null; oidcSubject?: string | null; storedRole?: string },
): Role {
  // SSO: admin by an `oidc:<sub>` entry in DASHBOARD_ADMINS, or by the admin group in the claims of
  // the latest sign-in — never by the username, which the person chose at the provider. Both are
  // the word of one issuer: an account bound to another (before DASHBOARD_OIDC_ISSUER changed) is
  // not the configured issuer's subject of the same name, nor in its group.
  if (session.authMethod === "oidc") {
    // Every request of an SSO session asks: the set first, and the issuer (a URL parse) only for a possible admin.
    const listed = Boolean(session.oidcSubject) && config.admins.has(ssoAdminEntry(session.oidcSubject ?? ""));
    const inGroup = Boolean(config.oidc?.adminGroup) && session.storedRole === "admin";
    return (listed || inGroup) && config.oidc !== null && session.oidcIssuer != null && sameIssuer(session.oidcIssuer, config.oidc.issuer) ? "admin" : "user";
  }
  if (!config.admins.has(session.username)) return "user";
  return session.keyFingerprint !== null && currentFingerprints(config).admin.has(session.keyFingerprint)
    ? "admin"
    : "user";
}

/**
 * Whether an account's issuer (as the provider's tokens carry it) is the configured one, compared as
 * discovery compares them (as URLs): DASHBOARD_OIDC_ISSUER may differ in the host's case, a default
 * port or the root's slash and still discover.
 */
export const sameIssuer = (stored: string, configured: URL) =>
  // Group admins ask on every request: the same text needs no parse.
  stored === configured.href || (URL.canParse(stored) && new URL(stored).href === configured.href);

/** Static-key sessions end when the key they signed in with is no longer configured, or no longer admits their name. */
export function signedInWithCurrentKey(config: Config, session: { authMethod: string; keyFingerprint: string | null }, username: string) {
  if (session.authMethod !== "static") return true;
  if (session.keyFingerprint === null) return false;
  const prints = currentFingerprints(config);
  // An admin name accepts only the admin key: a shared-key session on a name since added to
  // DASHBOARD_ADMINS is no longer one its key allows.
  return prints.admin.has(session.keyFingerprint) || (prints.user.has(session.keyFingerprint) && !config.admins.has(username));
}

/** The one admin check behind every admin page, API route and action. */
export const isAdmin = (user: { role: Role }): boolean => user.role === "admin";

/** isAdmin, or the API's 403 (pages answer with the 403 page instead: lib/http/page.ts). */
export function assertAdmin(user: { role: Role }): void {
  if (!isAdmin(user)) throw fail("forbidden");
}

/**
 * The role the groups claim gives (at sign-in, and at each SSO re-check); `oidc:<sub>` entries in
 * DASHBOARD_ADMINS are applied on every request.
 */
export function roleFromClaims(oidc: OidcConfig, claims: Record<string, unknown>): Role {
  const groups = claims[oidc.groupsClaim];
  return oidc.adminGroup !== null && Array.isArray(groups) && groups.includes(oidc.adminGroup) ? "admin" : "user";
}
