import type { Config } from "../config";
import type { Database } from "../db";
import { sealAtRest, unsealAtRest } from "../sealed";

/**
 * The identity provider's tokens of one SSO session (SsoTokens), sealed at rest: the refresh token
 * to re-check access, the ID token for the logout's id_token_hint. Access tokens are not kept.
 */
export type ProviderTokens = { refreshToken: string | null; idToken: string };

/** What a sealed value is bound to (authenticated with it): the field and the session. */
const context = (field: "refresh" | "id", sessionId: string) => `sso-token:${field}:${sessionId}`;

/** The sealed columns for a session's tokens. */
export function sealedTokens(config: Config, sessionId: string, tokens: ProviderTokens) {
  return {
    refreshToken: tokens.refreshToken === null ? null : sealAtRest(config, tokens.refreshToken, context("refresh", sessionId)),
    idToken: sealAtRest(config, tokens.idToken, context("id", sessionId)),
  };
}

/** Replaces a session's tokens (a re-authentication's new grant): checked now, no failure pending. */
export async function storeProviderTokens(db: Database, config: Config, sessionId: string, tokens: ProviderTokens, now: Date): Promise<void> {
  const data = { ...sealedTokens(config, sessionId, tokens), checkedAt: now, failingSince: null, refreshingUntil: null };
  await db.prisma.ssoTokens.upsert({ where: { sessionId }, create: { sessionId, ...data }, update: { ...data, version: { increment: 1 } } });
}

/** The tokens of a stored row; a value no configured DASHBOARD_SECRET opens is null. */
export function openTokens(config: Config, row: { sessionId: string; refreshToken: string | null; idToken: string }) {
  return {
    refreshToken: row.refreshToken === null ? null : unsealAtRest(config, row.refreshToken, context("refresh", row.sessionId)),
    idToken: unsealAtRest(config, row.idToken, context("id", row.sessionId)),
  };
}

/** The session's ID token (for id_token_hint), or null when none is kept or it cannot be opened. */
export async function storedIdToken(db: Database, config: Config, sessionId: string): Promise<string | null> {
  const row = await db.prisma.ssoTokens.findUnique({ where: { sessionId }, select: { sessionId: true, refreshToken: true, idToken: true } });
  return row ? openTokens(config, row).idToken : null;
}

/** Forgets the tokens of ended sessions; the rows may stay (revoked, or kept as history). */
export async function deleteSsoTokens(db: Database, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await db.prisma.ssoTokens.deleteMany({ where: { sessionId: { in: sessionIds } } });
}

/** Forgets the tokens of every session that has ended (revoked or expired) by `now`: a sweep after bulk ends and at cleanup. */
export async function deleteEndedSessionsTokens(db: Database, now: Date): Promise<number> {
  const { count } = await db.prisma.ssoTokens.deleteMany({
    where: { session: { OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] } },
  });
  return count;
}
