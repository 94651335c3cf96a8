import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { IDENTITY_PROVIDER_ACTOR } from "../actor";
import type { OidcConfig } from "../config";
import type { Database } from "../db";
import { DomainError, fail } from "../errors";
import { recordBackchannelLogout } from "../metrics/metrics";
import { revokeSessions } from "../sessions/revoke";
import type { RequestInfo } from "../request/types";
import { identityProviderFailure, identityProviderJwksFetch, IdentityProviderUnavailableError } from "./identity-provider";
import { oidcClient } from "./oidc";

const LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** Logout tokens older than this are refused (they are sent at once; a stale one is a replay). */
const MAX_TOKEN_AGE = "5 minutes";
/**
 * How far the provider's clock may be from ours, either way. Ahead: a token's iat may be this far in
 * our future and is still accepted (it is sent at once and not resent when refused). Behind: a token
 * ends only sessions signed in before it was issued, so one replayed within MAX_TOKEN_AGE cannot end
 * a later sign-in; this much later still counts.
 */
const CLOCK_SKEW_SECONDS = 5;
/** Asymmetric signatures only: the provider signs with its private key, we verify with its JWKS. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** JWS compact serialisation: header.payload.signature, each base64url without padding. */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

const invalid = (why: string) => fail("invalid_logout_token", { why });

/**
 * What can be checked without the provider: a signed JWT (three base64url parts, a JSON header
 * naming an accepted alg, a JSON payload). Anyone can post to the endpoint, so garbage is refused
 * here, before discovery or a JWKS fetch is attempted on its behalf.
 */
function checkLogoutTokenShape(token: string): void {
  if (!JWS_COMPACT.test(token)) throw invalid("not a signed JWT");
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    decodeJwt(token);
  } catch {
    throw invalid("its header or payload is not base64url-encoded JSON");
  }
  if (typeof alg !== "string" || !ALGORITHMS.includes(alg)) throw invalid("unsupported or missing alg");
}

/**
 * Checks a logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 requires: signature against
 * the provider's JWKS, iss, aud, iat (and exp when present, each within CLOCK_SKEW_SECONDS), the
 * back-channel logout event, sub or sid, and no nonce. A provider that cannot be asked (discovery,
 * a JWKS that does not answer or is no key set) is an IdentityProviderUnavailableError, not a bad
 * token.
 */
export async function verifyLogoutToken(oidc: OidcConfig, token: string, now = new Date()): Promise<JWTPayload & { sid?: string; sub?: string }> {
  checkLogoutTokenShape(token);
  const provider = await oidcClient(oidc);
  const metadata = provider.serverMetadata();
  if (!metadata.jwks_uri) throw new IdentityProviderUnavailableError("the provider publishes no jwks_uri");
  let jwks = jwksCache.get(metadata.jwks_uri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), { [customFetch]: identityProviderJwksFetch });
    jwksCache.set(metadata.jwks_uri, jwks);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: metadata.issuer,
      audience: oidc.clientId,
      maxTokenAge: MAX_TOKEN_AGE,
      currentDate: now,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["iat"],
      algorithms: ALGORITHMS,
    }));
  } catch (error) {
    throw identityProviderFailure(error) ?? invalid(error instanceof Error ? error.message : "not a valid signed JWT");
  }
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events !== "object" || typeof events[LOGOUT_EVENT] !== "object" || events[LOGOUT_EVENT] === null) {
    throw invalid("missing the back-channel logout event");
  }
  if ("nonce" in payload) throw invalid("a logout token must not contain a nonce");
  const sid = typeof payload.sid === "string" ? payload.sid : undefined;
  const sub = typeof payload.sub === "string" ? payload.sub : undefined;
  if (!sid && !sub) throw invalid("neither sub nor sid");
  return { ...payload, sid, sub };
}

/**
 * Ends the sessions a verified logout token names: those of the IdP session `sid` (for the same
 * subject when `sub` is given too), else every session of the subject, signed in before the token
 * was issued. Returns how many ended.
 */
export async function backchannelLogout(db: Database, oidc: OidcConfig, token: string, request: RequestInfo, now = new Date()) {
  let claims: Awaited<ReturnType<typeof verifyLogoutToken>>;
  try {
    claims = await verifyLogoutToken(oidc, token, now);
  } catch (error) {
    recordBackchannelLogout(
      error instanceof DomainError && error.code === "invalid_logout_token" ? "invalid" : identityProviderFailure(error) ? "unavailable" : "error",
    );
    throw error;
  }
  const user = { oidcIssuer: claims.iss, ...(claims.sub ? { oidcSubject: claims.sub } : {}) };
  const scope = claims.sid ? `IdP session ${claims.sid}` : `all sessions of subject ${claims.sub}`;
  const revoked = await revokeSessions(
    db,
    {
      authMethod: "oidc",
      user,
      ...(claims.sid ? { oidcSid: claims.sid } : {}),
      // iat is required (verifyLogoutToken); not remembering each jti, this bounds a replay instead.
      authenticatedAt: { lte: new Date(((claims.iat ?? 0) + CLOCK_SKEW_SECONDS) * 1000) },
    },
    { actor: IDENTITY_PROVIDER_ACTOR, cause: "idp_logout", reason: "signed out at the identity provider", detail: `back-channel logout: ${scope}` },
    request,
    now,
  );
  recordBackchannelLogout("ok");
  return revoked;
}
