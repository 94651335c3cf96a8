import type { Config } from "../config";
import type { Database } from "../db";
import { lastDiscovery, oidcClient, type DiscoveryStatus } from "../auth/discovery";
import { lastRefresh } from "../auth/sso-recheck";
import { IDENTITY_PROVIDER_ACTOR } from "../actor";
import { activeSessionWhere, pendingForceLogout } from "../sessions/active";

/** What the Admin Panel's Single sign-on page shows. */
export type SsoStatus = {
  issuer: string;
  /** The provider's discovery: reached (with its logout support), or why not. */
  discovery: DiscoveryStatus & { endSession: boolean; refreshGrant: boolean | null };
  recheckMinutes: number;
  recheckGraceMinutes: number;
  /** Active SSO sessions with kept tokens, those with no refresh token (not re-checked), and those waiting for an unreachable provider. */
  sessions: { kept: number; withoutRefreshToken: number; failing: number; failingSince: Date | null };
  /** The last successful refresh made by this server process (since it started). */
  lastRefreshAt: Date | null;
  /** Sessions the provider ended, per way, from the audit trail. */
  endedByProvider: { refused: number; unreachable: number; backchannel: number };
};

/** How the re-check and back-channel logout word their audit detail (lib/auth/sso-recheck.ts, backchannel.ts). */
const ENDED_DETAIL = { refused: "SSO re-check: refresh refused", unreachable: "SSO re-check: the identity provider could not be reached", backchannel: "back-channel logout" };

export async function ssoStatus(db: Database, config: Config): Promise<SsoStatus | null> {
  const oidc = config.oidc;
  if (!oidc) return null;
  let endSession = false;
  let refreshGrant: boolean | null = null;
  try {
    const metadata = (await oidcClient(oidc)).serverMetadata();
    endSession = Boolean(metadata.end_session_endpoint);
    refreshGrant = metadata.grant_types_supported ? metadata.grant_types_supported.includes("refresh_token") : null;
  } catch {
    // Shown from lastDiscovery below.
  }
  const discovery = lastDiscovery() ?? { ok: false, at: new Date(), detail: "not asked yet" };
  // The sessions still accepted: not those past their absolute expiry or ended by a pending force logout.
  const active = activeSessionWhere(config, new Date(), await pendingForceLogout(db));
  const [kept, withoutRefreshToken, failing, oldestFailure, ...ended] = await Promise.all([
    db.prisma.ssoTokens.count({ where: { session: active } }),
    db.prisma.ssoTokens.count({ where: { refreshToken: null, session: active } }),
    db.prisma.ssoTokens.count({ where: { failingSince: { not: null }, session: active } }),
    db.prisma.ssoTokens.aggregate({ _min: { failingSince: true }, where: { session: active } }),
    ...Object.values(ENDED_DETAIL).map((prefix) =>
      db.prisma.authEvent.count({ where: { type: "session.revoked", actor: IDENTITY_PROVIDER_ACTOR.username, detail: { startsWith: prefix } } }),
    ),
  ]);
  return {
    issuer: oidc.issuerId,
    discovery: { ...discovery, endSession, refreshGrant },
    recheckMinutes: oidc.recheckMinutes,
    recheckGraceMinutes: oidc.recheckGraceMinutes,
    sessions: { kept, withoutRefreshToken, failing, failingSince: oldestFailure._min.failingSince },
    lastRefreshAt: lastRefresh.at,
    endedByProvider: { refused: ended[0] ?? 0, unreachable: ended[1] ?? 0, backchannel: ended[2] ?? 0 },
  };
}
