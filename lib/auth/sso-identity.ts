import { createHash } from "node:crypto";
import { z } from "zod";
import { SYSTEM_ACTOR, type Actor } from "../actor";
import type { Config, OidcConfig } from "../config";
import { authEventRow, recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { DomainError, fail } from "../errors";
import { createSession, type CurrentSession } from "../sessions/sessions";
import { revokeSessions } from "../sessions/revoke";
import type { RequestInfo } from "../request/types";
import { usernameSchema } from "../validation/auth";
import { plainText } from "../validation/text";
import { generateId } from "../sessions/token";
import { oidcClient } from "./discovery";
import { roleFromClaims } from "./roles";
import type { ProviderTokens } from "./sso-tokens";

/**
 * Who an SSO sign-in is. An SSO identity IS its (issuer, subject): the only claims the provider
 * binds to the person. Everything else in the ID token (preferred_username, name, an unverified
 * email) is what the person can edit at the provider, and OpenID Connect says preferred_username is
 * neither unique nor stable. So those claims only suggest a display username for a new account;
 * they never link to an existing account, never take a name reserved for static admins, and never
 * confer admin.
 */
export type SsoClaims = {
  iss: string;
  sub: string;
  preferred_username?: unknown;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  [claim: string]: unknown;
};


/** One address, written plainly: no list, no display name, no spaces (international addresses allowed). */
const oneAddress = z.string().max(320).regex(/^[^\s@,;<>"()]+@[^\s@,;<>"()]+$/);

/** The email, only when the provider says it verified it, and only if it is one address (not "a@x, b@y"). */
export function verifiedEmail(claims: SsoClaims): string | null {
  if (claims.email_verified !== true || typeof claims.email !== "string") return null;
  const email = plainText(claims.email, 320);
  return oneAddress.safeParse(email).success ? email : null;
}

export type SsoSignInFailure = "account_disabled" | "sso_account_conflict";

export type SsoSignInResult =
  | { ok: true; token: string; persistent: boolean; session: CurrentSession; user: { id: string; username: string } }
  | { ok: false; code: SsoSignInFailure; detail: string; username: string | null };

/**
 * Finds the account of (iss, sub), or creates one under a username of its own, and starts an
 * "oidc" session for it. Profile fields are refreshed from the claims; the username is not (it is
 * the account's stable handle).
 */
export async function signInSsoUser(
  db: Database,
  config: Config,
  oidc: OidcConfig,
  claims: SsoClaims,
  options: { rememberMe: boolean; providerTokens?: ProviderTokens | null },
  request: RequestInfo,
  now = new Date(),
): Promise<SsoSignInResult> {
  const role = roleFromClaims(oidc, claims);
  const profile = {
    displayName: typeof claims.name === "string" ? plainText(claims.name, 200) : null,
    email: verifiedEmail(claims),
    role,
    lastLoginAt: now,
  };
  const found = await findOrCreateSsoUser(db, config, claims, profile, request, now);
  if (!found.ok) return found;
  const user = found.user;
  const created = await createSession(
    db,
    config,
    {
      userId: user.id,
      username: user.username,
      authMethod: "oidc",
      rememberMe: options.rememberMe,
      keyFingerprint: null,
      identity: { issuer: claims.iss, subject: claims.sub },
      oidcSid: providerSessionId(claims),
      loginDetail: role === "admin" ? "admin via SSO group" : null,
      providerTokens: options.providerTokens ?? null,
      commitWith: (client) => (found.profileUpdate ? [client.user.update({ where: { id: found.user.id }, data: found.profileUpdate })] : []),
    },
    request,
    now,
  ).catch((error: unknown) => {
    // Disabled, or linked to another subject, after the look above (createSession reads it again under its hold).
    if (error instanceof DomainError && (error.code === "sso_account_conflict" || error.code === "account_disabled")) return error.code;
    throw error;
  });
  if (created === "account_disabled") return { ok: false, code: "account_disabled", detail: "account disabled", username: user.username };
  if (created === "sso_account_conflict") return { ok: false, code: "sso_account_conflict", detail: "the account was linked to another subject during the sign-in", username: user.username };
  const { token, session } = created;
  return { ok: true, token, persistent: options.rememberMe, session: { ...session, authMethod: "oidc" }, user: { id: user.id, username: user.username } };
}

/**
 * The provider's session a sign-in's ID token names (`sid`), which its back-channel logout tokens
 * name again; kept with the session at sign-in and at each re-authentication.
 */
export const providerSessionId = (claims: Readonly<Record<string, unknown>>): string | null => (typeof claims.sid === "string" ? claims.sid.slice(0, 256) : null);

type Profile = { displayName: string | null; email: string | null; role: string; lastLoginAt: Date };

async function findOrCreateSsoUser(
  db: Database,
  config: Config,
  claims: SsoClaims,
  profile: Profile,
  request: RequestInfo,
  now: Date,
): Promise<{ ok: true; user: { id: string; username: string }; profileUpdate?: Profile } | Extract<SsoSignInResult, { ok: false }>> {
  const identity = { oidcIssuer: claims.iss, oidcSubject: claims.sub };
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await db.prisma.user.findUnique({ where: { oidcIssuer_oidcSubject: identity } });
    if (existing) {
      if (existing.disabledAt) return { ok: false, code: "account_disabled", detail: "account disabled", username: existing.username };
      // Its profile is refreshed with the session, in one transaction.
      return { ok: true, user: existing, profileUpdate: profile };
    }
    const wanted = suggestedUsername(claims);
    const username = await freeUsername(db, config, wanted, claims);
    if (username === null) {
      return { ok: false, code: "sso_account_conflict", detail: `no free username for "${wanted}"`, username: null };
    }
    const id = generateId();
    const created = { id, username, authSource: "oidc", ...identity, ...profile };
    const events =
      username === wanted
        ? []
        : [
            authEventRow({
              type: "sso.username_conflict",
              username,
              userId: id,
              authMethod: "oidc",
              ip: request.ip,
              userAgent: request.userAgent,
              actor: SYSTEM_ACTOR.username,
              detail: `"${wanted}" is taken or reserved; the new SSO account is "${username}"`,
              at: now,
            }),
          ];
    try {
      await db.prisma.$transaction([db.prisma.user.create({ data: created }), ...events.map((data) => db.prisma.authEvent.create({ data }))]);
      return { ok: true, user: { id, username } };
    } catch (error) {
      // Another sign-in took the name or created this subject's account meanwhile: look again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return { ok: false, code: "sso_account_conflict", detail: "the account could not be created (concurrent sign-ins)", username: null };
}

/** preferred_username, else a verified email, else the subject — the first that is a valid username. */
function suggestedUsername(claims: SsoClaims): string {
  for (const candidate of [claims.preferred_username, verifiedEmail(claims), claims.sub]) {
    const parsed = usernameSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return `sso-${subjectTag(claims, 10)}`;
}

/**
 * `wanted` if nobody has it and it is not reserved for a static admin; otherwise the name with a
 * suffix derived from (iss, sub) — stable, so the same person gets the same name on any replica.
 */
async function freeUsername(db: Database, config: Config, wanted: string, claims: SsoClaims): Promise<string | null> {
  const candidates = [wanted, ...[6, 10, 16].map((length) => `${wanted.slice(0, 64 - length - 1)}-${subjectTag(claims, length)}`)];
  for (const name of candidates) {
    if (config.admins.has(name)) continue;
    if (!(await db.prisma.user.findUnique({ where: { username: name }, select: { id: true } }))) return name;
  }
  return null;
}

const subjectTag = (claims: SsoClaims, length: number) =>
  createHash("sha256").update(`${claims.iss}\n${claims.sub}`).digest("hex").slice(0, length);

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";

/**
 * The deliberate way to make an existing key user an SSO account: an operator names the subject
 * (CLI `link-sso`). From then on that subject signs in to this account, and the shared key no
 * longer does — nor do the sessions the key already opened, which end here, nor (linked before
 * to another subject) that subject's sessions. Refused when the subject already has an account of
 * its own.
 */
export async function linkUserToSsoSubject(db: Database, oidc: OidcConfig, username: string, subject: string, actor: Actor, request: RequestInfo) {
  const user = await db.prisma.user.findUnique({ where: { username } });
  if (!user) throw fail("user_not_found");
  // The issuer as the provider's tokens name it (its discovery document), which sign-ins look the
  // account up by: DASHBOARD_OIDC_ISSUER may be written otherwise ("…/" or not) and still discover.
  // A provider that cannot be asked links nothing (IdentityProviderUnavailableError).
  const issuer = (await oidcClient(oidc)).serverMetadata().issuer;
  const owner = await db.prisma.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: issuer, oidcSubject: subject } } });
  if (owner && owner.id !== user.id) {
    throw fail("sso_account_conflict", { owner: owner.username });
  }
  // Bound to another identity until now: that person's SSO sessions are no longer on their account.
  const previous = user.authSource === "oidc" && (user.oidcIssuer !== issuer || user.oidcSubject !== subject) ? ` (was subject ${user.oidcSubject} at ${user.oidcIssuer})` : "";
  await db.prisma.user.update({ where: { id: user.id }, data: { authSource: "oidc", oidcIssuer: issuer, oidcSubject: subject } });
  await recordAuthEvent(db, {
    type: "user.sso_linked",
    username,
    userId: user.id,
    authMethod: "oidc",
    actor: actor.username,
    detail: `linked to subject ${subject} at ${issuer}${previous}`,
  });
  const reason = "the account now signs in with single sign-on";
  const sessionsEnded = await revokeSessions(
    db,
    previous ? { userId: user.id } : { userId: user.id, authMethod: "static" },
    { actor, cause: "revoked_by_admin", reason, detail: `scope: user ${username} (linked to single sign-on); reason: ${reason}` },
    request,
  );
  return { username, subject, issuer, sessionsEnded };
}
