import * as client from "openid-client";
import { IDENTITY_PROVIDER_ACTOR } from "../actor";
import { recordAuthEvent } from "../audit";
import type { Config, OidcConfig } from "../config";
import type { Database } from "../db";
import { logger } from "../log";
import { recordSsoRecheck } from "../metrics/metrics";
import type { RequestInfo } from "../request/types";
import { IDP_RECHECK_REASONS } from "../sessions/end-reasons";
import { revokeSessions } from "../sessions/revoke";
import { withSpan } from "../tracing";
import { oidcClient } from "./discovery";
import { identityProviderFailure, identityProviderRefusal } from "./identity-provider";
import { roleFromClaims, sameIssuer } from "./roles";
import { deleteSsoTokens, openTokens, sealedTokens } from "./sso-tokens";

/**
 * Re-checking SSO sessions at the identity provider: at most every DASHBOARD_OIDC_RECHECK_MINUTES a
 * session's kept refresh token is used at the token endpoint. A refusal (invalid_grant: the person
 * was disabled, consent revoked, their session ended there; any other OAuth error, or an ID token
 * that fails validation) ends the session (idp_revoked); a provider that cannot be reached or
 * answer now (no answer, a timeout, a 5xx, 408, 429, "come back later", no OAuth answer at all:
 * identityProviderFailure) leaves it alone, retried at later requests, until
 * DASHBOARD_OIDC_RECHECK_GRACE_MINUTES have passed since the first failure (idp_unreachable). A
 * session of another issuer than the configured one cannot be confirmed any more and ends at its
 * re-check too (idp_unreachable); one with no refresh token kept is never re-checked and lasts its
 * own expiry. The groups claim of the answer sets the user's role. Nothing here runs on a request's path: the session check only schedules it
 * (scheduleSsoRecheck).
 */

/** How long one replica holds a session's refresh (its lease) before another may try. */
const LEASE_MS = 2 * 60_000;
/** Requests made for the re-check, as the audit trail records them. */
const RECHECK_REQUEST: RequestInfo = { ip: null, userAgent: null, location: null };
/** The words an admin reads for a session ended because its account is another issuer's (its cause: idp_unreachable). */
const OTHER_ISSUER_REASON = "the identity provider that issued the session is no longer the configured one";

export type RecheckOutcome =
  /** Nothing to do: no kept tokens, no refresh token, or checked recently enough. */
  | "skipped"
  /** Another replica (or this process) is refreshing it now, or just did. */
  | "busy"
  | "ok"
  | "revoked"
  | "unreachable"
  | "ended_after_grace"
  /** Ended: the account is another issuer's than the configured one (DASHBOARD_OIDC_ISSUER changed). */
  | "issuer_changed";

type State = { inFlight: Map<string, Promise<RecheckOutcome>>; notBefore: Map<string, number> };
const holder = globalThis as unknown as { sessionboardSsoRecheck?: State };
const state = (): State => (holder.sessionboardSsoRecheck ??= { inFlight: new Map(), notBefore: new Map() });
/** Remembered "not before" times are dropped past this many (they only save a read). */
const NOT_BEFORE_KEPT = 100_000;

const intervalMs = (oidc: OidcConfig) => oidc.recheckMinutes * 60_000;

/**
 * Called by the session check when it writes a session's activity: starts the re-check after the
 * current request's work (never awaited), one at a time per session in this process, and not
 * before the session's next re-check is due as far as this process knows.
 */
export function scheduleSsoRecheck(db: Database, config: Config, sessionId: string, now: Date): void {
  const oidc = config.oidc;
  if (!oidc || oidc.recheckMinutes === 0) return;
  const { inFlight, notBefore } = state();
  if (inFlight.has(sessionId) || (notBefore.get(sessionId) ?? 0) > now.getTime()) return;
  const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    recheckSsoSession(db, config, sessionId, now).catch((error: unknown) => {
      logger().error({ err: error, sessionId }, "The SSO re-check failed; it runs again at the session's next request");
      return "skipped" as RecheckOutcome;
    }),
  );
  inFlight.set(sessionId, run);
  void run.finally(() => inFlight.delete(sessionId));
}

/** Resolves when the re-checks started so far have finished (tests, shutdown). */
export async function ssoRechecksSettled(): Promise<void> {
  while (state().inFlight.size > 0) await Promise.all(state().inFlight.values());
}

function remember(sessionId: string, at: number) {
  const { notBefore } = state();
  if (notBefore.size >= NOT_BEFORE_KEPT) notBefore.clear();
  notBefore.set(sessionId, at);
}

/**
 * One re-check of one session, if due. Only the replica that takes the lease (a compare-and-swap on
 * `version`) asks the provider, so a rotating refresh token is never used twice; the others skip,
 * and the next re-check reads the new token.
 */
export function recheckSsoSession(db: Database, config: Config, sessionId: string, now = new Date()): Promise<RecheckOutcome> {
  const oidc = config.oidc;
  if (!oidc || oidc.recheckMinutes === 0) return Promise.resolve("skipped");
  return withSpan("idp.recheck", async (span) => {
    const outcome = await recheck(db, config, oidc, sessionId, now);
    span?.setAttribute("session.id", sessionId);
    span?.setAttribute("idp.recheck.outcome", outcome);
    return outcome;
  });
}

async function recheck(db: Database, config: Config, oidc: OidcConfig, sessionId: string, now: Date): Promise<RecheckOutcome> {
  const row = await db.prisma.ssoTokens.findUnique({
    where: { sessionId },
    include: { session: { select: { revokedAt: true, userId: true, user: { select: { username: true, role: true, oidcIssuer: true, oidcSubject: true } } } } },
  });
  if (!row || row.session.revokedAt || row.refreshToken === null) {
    // Nothing to re-check: the session lasts its own expiry.
    remember(sessionId, Number.MAX_SAFE_INTEGER);
    return "skipped";
  }
  const issuer = row.session.user.oidcIssuer;
  if (issuer === null || !sameIssuer(issuer, oidc.issuer)) {
    // Its refresh token is another provider's: never sent to this one, and the one that issued it
    // is no longer asked, so nothing can confirm the session any more.
    await endSession(db, sessionId, "idp_unreachable", `the account's issuer ${issuer ?? "(none)"} is no longer the configured one`, now, OTHER_ISSUER_REASON);
    return "issuer_changed";
  }
  const due = row.checkedAt.getTime() + intervalMs(oidc);
  if (due > now.getTime()) {
    remember(sessionId, due);
    return "skipped";
  }
  if (row.refreshingUntil && row.refreshingUntil > now) return "busy";
  const leased = await db.prisma.ssoTokens.updateMany({
    where: { sessionId, version: row.version },
    data: { version: { increment: 1 }, refreshingUntil: new Date(now.getTime() + LEASE_MS) },
  });
  if (leased.count === 0) return "busy";
  const version = row.version + 1;
  const kept = openTokens(config, row);
  if (kept.refreshToken === null) {
    // Sealed under a DASHBOARD_SECRET no longer configured: it cannot be used; the session lasts its own expiry.
    logger().warn({ sessionId }, "An SSO session's refresh token cannot be opened with the configured DASHBOARD_SECRET; it is not re-checked");
    await db.prisma.ssoTokens.updateMany({ where: { sessionId, version }, data: { refreshToken: null, refreshingUntil: null, version: { increment: 1 } } });
    remember(sessionId, Number.MAX_SAFE_INTEGER);
    return "skipped";
  }

  let provider: client.Configuration;
  let answer: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
  try {
    provider = await oidcClient(oidc);
    answer = await client.refreshTokenGrant(provider, kept.refreshToken);
  } catch (error) {
    const unavailable = identityProviderFailure(error);
    if (unavailable) {
      recordSsoRecheck("unreachable");
      return providerFailed(db, oidc, row, version, unavailable.detail, now);
    }
    const refusal = identityProviderRefusal(error);
    // Neither the provider's outage nor its answer: ours. The lease runs out; a later request retries.
    if (refusal === null) throw error;
    recordSsoRecheck("refused");
    await endSession(db, sessionId, "idp_revoked", `refresh refused (${refusal.slice(0, 200)})`, now);
    return "revoked";
  }

  const claims = answer.claims() ?? null;
  if (claims && row.session.user.oidcSubject && claims.sub !== undefined && claims.sub !== row.session.user.oidcSubject) {
    recordSsoRecheck("refused");
    await endSession(db, sessionId, "idp_revoked", "the refresh answered for another subject", now);
    return "revoked";
  }
  // The rotated refresh token (if any) replaces the old one at once, whatever follows: the spent one
  // would be refused (and, by providers that detect reuse, revoke the whole grant). The last ID token
  // is kept for logout.
  const tokens = { refreshToken: answer.refresh_token ?? kept.refreshToken, idToken: answer.id_token ?? kept.idToken ?? "" };
  const stored = await db.prisma.ssoTokens.updateMany({
    where: { sessionId, version },
    data: { ...sealedTokens(config, sessionId, tokens), checkedAt: now, failingSince: null, refreshingUntil: null, version: { increment: 1 } },
  });
  if (stored.count === 0) {
    // The lease ran out and someone else took over (or the session ended): their write stands.
    logger().warn({ sessionId }, "An SSO re-check finished after its lease; its result was dropped");
    return "busy";
  }
  recordSsoRecheck("ok");
  lastRefresh.at = now;
  remember(sessionId, now.getTime() + intervalMs(oidc));
  if (oidc.adminGroup !== null) {
    // No new ID token: the groups come from userinfo (when an access token came back).
    const groupsFrom = claims ?? (answer.access_token ? await userinfo(provider, answer.access_token, row.session.user.oidcSubject, sessionId) : null);
    if (groupsFrom) await followGroups(db, oidc, row.session.userId, row.session.user, groupsFrom, sessionId, now);
    // An admin whose groups cannot be read keeps the role only for the grace, as while the provider
    // cannot be reached (the tokens are stored: the next try uses the rotated one).
    else if (row.session.user.role === "admin") {
      return providerFailed(db, oidc, { sessionId, failingSince: row.failingSince }, version + 1, "its userinfo could not be read to confirm the admin group", now);
    }
  }
  return "ok";
}

/**
 * Userinfo's claims for a refresh that brought no ID token, or null when they cannot be read. The
 * refresh itself succeeded, so the session stands; only the role is not re-read (an admin's is
 * kept for the grace, as while the provider cannot be reached), until a later re-check reads it.
 */
async function userinfo(provider: client.Configuration, accessToken: string, subject: string | null, sessionId: string): Promise<Record<string, unknown> | null> {
  if (subject === null) return null;
  try {
    return await client.fetchUserInfo(provider, accessToken, subject);
  } catch (error) {
    const why = identityProviderFailure(error)?.detail ?? identityProviderRefusal(error) ?? (error instanceof Error ? error.message : String(error));
    logger().warn({ sessionId }, `Userinfo could not be read at an SSO re-check; the role stays as it is until a later one: ${why.slice(0, 200)}`);
    return null;
  }
}

/** The last successful refresh this process made (for the Admin Panel). */
export const lastRefresh: { at: Date | null } = { at: null };

/** The provider could not be asked: keep the session, unless the grace has run out. */
async function providerFailed(
  db: Database,
  oidc: OidcConfig,
  row: { sessionId: string; failingSince: Date | null },
  version: number,
  why: string,
  now: Date,
): Promise<RecheckOutcome> {
  const failingSince = row.failingSince ?? now;
  if (now.getTime() - failingSince.getTime() >= oidc.recheckGraceMinutes * 60_000) {
    await endSession(db, row.sessionId, "idp_unreachable", `the identity provider could not be reached since ${failingSince.toISOString()} (${why.slice(0, 200)})`, now);
    return "ended_after_grace";
  }
  await db.prisma.ssoTokens.updateMany({
    where: { sessionId: row.sessionId, version },
    data: { failingSince, refreshingUntil: null, version: { increment: 1 } },
  });
  logger().warn({ sessionId: row.sessionId }, `The identity provider could not re-check an SSO session; kept, retried later: ${why.slice(0, 200)}`);
  return "unreachable";
}

async function endSession(
  db: Database,
  sessionId: string,
  cause: keyof typeof IDP_RECHECK_REASONS,
  detail: string,
  now: Date,
  reason: string = IDP_RECHECK_REASONS[cause],
) {
  await revokeSessions(db, { id: sessionId }, { actor: IDENTITY_PROVIDER_ACTOR, cause, reason, detail: `SSO re-check: ${detail}` }, RECHECK_REQUEST, now);
  // revokeSessions deletes the tokens of what it revoked; a session revoked meanwhile by someone else too.
  await deleteSsoTokens(db, [sessionId]);
  remember(sessionId, Number.MAX_SAFE_INTEGER);
}

/** The groups claim of the refresh sets the role, as a sign-in does; a change is audited. */
async function followGroups(
  db: Database,
  oidc: OidcConfig,
  userId: string,
  user: { username: string; role: string },
  claims: Record<string, unknown>,
  sessionId: string,
  now: Date,
) {
  const role = roleFromClaims(oidc, claims);
  if (role === user.role) return;
  const { count } = await db.prisma.user.updateMany({ where: { id: userId, role: user.role }, data: { role } });
  if (count === 0) return;
  await recordAuthEvent(db, {
    type: "sso.role_changed",
    username: user.username,
    userId,
    sessionId,
    authMethod: "oidc",
    actor: IDENTITY_PROVIDER_ACTOR.username,
    detail: `${user.role} → ${role}: the groups claim at a refresh ${role === "admin" ? "includes" : "no longer includes"} ${oidc.adminGroup}`,
    at: now,
  });
}
