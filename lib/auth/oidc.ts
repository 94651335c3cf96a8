import { SpanStatusCode } from "@opentelemetry/api";
import * as client from "openid-client";
import type { Config, OidcConfig } from "../config";
import { recordAnonymousFailure, recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { seal, unseal } from "../sealed";
import { rotateSessionToken, validateSessionCookie, type CurrentSession, type SessionCheck } from "../sessions/sessions";
import type { RequestInfo } from "../request/types";
import { isSecureDeployment } from "../sessions/cookie";
import { providerSessionId, signInSsoUser, type SsoSignInFailure } from "./sso-identity";
import { roleFromClaims } from "./roles";
import { withSpan } from "../tracing";
import { recordSignIn } from "./sign-in-span";
import { identityProviderFailure, IdentityProviderUnavailableError, providerAsksLater } from "./identity-provider";
import { oidcClient } from "./discovery";
import { storeProviderTokens, type ProviderTokens } from "./sso-tokens";

export { oidcClient };
import { recordLoginAttempt } from "../metrics/metrics";
import { logger } from "../log";

/**
 * The in-flight sign-in, sealed into a short-lived cookie bound to this browser. On https it is
 * `__Host-` (so Path=/): a `__Secure-` one could be set from a sibling subdomain, planting another
 * person's sign-in in this browser for its callback to finish.
 */
export const txCookieName = (config: Config) => (isSecureDeployment(config) ? "__Host-oidc_tx" : "oidc_tx");
const TX_TTL_SECONDS = 600;
/** How much of an SSO callback's error and its description the audit keeps (anyone can send them). */
const PROVIDER_ERROR_MAX_LENGTH = 100;
const PROVIDER_DESCRIPTION_MAX_LENGTH = 200;

type Transaction = {
  state: string;
  nonce: string;
  codeVerifier: string;
  rememberMe: boolean;
  next: string;
  /** Set for a re-authentication: the session it is for, and when it began (epoch seconds). */
  reauth?: { sessionId: string; startedAt: number };
};

/** Clock skew allowed between us and the provider when checking a re-authentication's auth_time. */
const AUTH_TIME_SKEW_SECONDS = 5;

export type OidcFailure =
  | "sso_unavailable"
  | "sso_cancelled"
  | "sso_expired"
  | "sso_state"
  | "sso_failed"
  | "sso_reauthentication_failed"
  | SsoSignInFailure;

export const txCookieOptions = (config: Config) => ({
  httpOnly: true,
  sameSite: "lax" as const,
  path: "/",
  secure: isSecureDeployment(config),
  maxAge: TX_TTL_SECONDS,
});

/**
 * Step 1: the provider's authorization URL (code flow, PKCE S256, state, nonce) and the sealed
 * transaction. For a re-authentication (`reauthSessionId`), the provider is asked to have the
 * person sign in again whatever session it holds (prompt=login, max_age=0).
 */
export function startOidcLogin(
  config: Config,
  oidc: OidcConfig,
  options: { rememberMe: boolean; next: string; reauthSessionId?: string },
  now = new Date(),
) {
  return withSpan("auth.sso.start", (span) => {
    span?.setAttribute("auth.method", "oidc");
    span?.setAttribute("auth.reauthentication", options.reauthSessionId !== undefined);
    return authorizationRequest(config, oidc, options, now);
  });
}

async function authorizationRequest(
  config: Config,
  oidc: OidcConfig,
  options: { rememberMe: boolean; next: string; reauthSessionId?: string },
  now: Date,
) {
  const provider = await oidcClient(oidc);
  const transaction: Transaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    rememberMe: options.rememberMe,
    next: options.next,
    ...(options.reauthSessionId ? { reauth: { sessionId: options.reauthSessionId, startedAt: Math.floor(now.getTime() / 1000) } } : {}),
  };
  const url = client.buildAuthorizationUrl(provider, {
    redirect_uri: oidc.redirectUri,
    scope: oidc.scopes,
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: "S256",
    state: transaction.state,
    nonce: transaction.nonce,
    ...(transaction.reauth ? { prompt: "login", max_age: "0" } : {}),
  });
  return { url, transaction: await seal(config, transaction, TX_TTL_SECONDS) };
}

export type OidcResult =
  | { ok: true; token: string; persistent: boolean; next: string; session: CurrentSession; user: { id: string; username: string } }
  /** A re-authentication: the same session, with a new token. */
  | { ok: true; reauthenticated: true; token: string; persistent: boolean; next: string }
  | OidcRefusal;
/**
 * `reauthOf`: a failed re-authentication, of this session (still signed in). `keepTransaction`:
 * the callback was not the one this browser's sign-in waits for, which may still come.
 */
type OidcRefusal = { ok: false; code: OidcFailure; next: string; reauthOf?: string; keepTransaction?: true };

/**
 * Step 2, the callback: checks the transaction and state, exchanges the code (openid-client checks
 * PKCE, nonce, issuer, audience, expiry and the signature against the provider's JWKS), then creates
 * or updates the user from the claims and starts an "oidc" session. Every failure is audited and
 * returned as a code for /login, never thrown.
 */
export function finishOidcLogin(
  db: Database,
  config: Config,
  oidc: OidcConfig,
  callback: { url: URL; transaction: string | undefined; sessionCookie: string | undefined },
  request: RequestInfo,
  now = new Date(),
): Promise<OidcResult> {
  return withSpan("auth.sign_in", async (span) => {
    span?.setAttribute("auth.method", "oidc");
    const result = await ssoCallback(db, config, oidc, callback, request, now);
    if (span) {
      recordSignIn(span, result);
      if (!result.ok && result.code === "sso_unavailable") span.setStatus({ code: SpanStatusCode.ERROR, message: "identity provider unavailable" });
      if ((result.ok && "reauthenticated" in result) || (!result.ok && result.reauthOf)) span.setAttribute("auth.reauthentication", true);
    }
    return result;
  });
}

async function ssoCallback(
  db: Database,
  config: Config,
  oidc: OidcConfig,
  callback: { url: URL; transaction: string | undefined; sessionCookie: string | undefined },
  request: RequestInfo,
  now: Date,
): Promise<OidcResult> {
  const { url: callbackUrl, transaction: sealedTransaction, sessionCookie } = callback;
  const transaction = await unseal<Transaction>(config, sealedTransaction, TX_TTL_SECONDS);
  const next = typeof transaction?.next === "string" ? transaction.next : "/";
  const reauth = transaction?.reauth;
  const failedSignIn = async (code: OidcFailure, detail: string, username: string | null = null): Promise<OidcRefusal> => {
    if (reauth) {
      await recordAuthEvent(db, { type: "reauth.failed", authMethod: "oidc", username, sessionId: reauth.sessionId, ip: request.ip, userAgent: request.userAgent, detail, at: now });
      return { ok: false, code: "sso_reauthentication_failed", next, reauthOf: reauth.sessionId };
    }
    // A re-authentication is not a sign-in: only sign-ins are counted as login attempts.
    recordLoginAttempt("oidc", code === "account_disabled" ? "disabled" : "sso_error");
    await recordAnonymousFailure(db, config, { authMethod: "oidc", username, ip: request.ip, userAgent: request.userAgent, detail, at: now });
    return { ok: false, code, next };
  };

  if (!transaction?.state || !transaction.nonce || !transaction.codeVerifier) {
    return failedSignIn("sso_expired", "no sign-in in progress (transaction cookie missing, expired or already used)");
  }
  // Before anything the callback says is believed, its error included (the provider echoes state
  // in errors too): any site can send a browser here, and must not cancel the sign-in in flight.
  if (callbackUrl.searchParams.get("state") !== transaction.state) {
    return { ...(await failedSignIn("sso_state", "state mismatch")), keepTransaction: true };
  }
  // Bounded here, cleaned where the audit stores them.
  const idpError = callbackUrl.searchParams.get("error")?.slice(0, PROVIDER_ERROR_MAX_LENGTH);
  if (idpError) {
    const description = callbackUrl.searchParams.get("error_description")?.slice(0, PROVIDER_DESCRIPTION_MAX_LENGTH);
    const failure = idpError === "access_denied" ? "sso_cancelled" : providerAsksLater(idpError) ? "sso_unavailable" : "sso_failed";
    return failedSignIn(failure, `provider error: ${idpError}${description ? ` (${description})` : ""}`);
  }

  let claims: client.IDToken;
  let providerTokens: ProviderTokens | null = null;
  try {
    const provider = await oidcClient(oidc);
    // The redirect URI must match the one sent in step 1 exactly; rebuild it from configuration.
    const current = new URL(oidc.redirectUri);
    current.search = callbackUrl.search;
    // Its request to the token endpoint is this span's child.
    const tokens = await withSpan("idp.token_exchange", () =>
      client.authorizationCodeGrant(provider, current, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
        // A re-authentication asked for max_age=0: the ID token must then carry auth_time.
        ...(reauth ? { maxAge: 0 } : {}),
      }),
    );
    const idClaims = tokens.claims();
    if (!idClaims || !tokens.id_token) return failedSignIn("sso_failed", "no ID token");
    claims = idClaims;
    providerTokens = { refreshToken: tokens.refresh_token ?? null, idToken: tokens.id_token };
  } catch (error) {
    const unavailable = identityProviderFailure(error);
    if (unavailable) return failedSignIn("sso_unavailable", `identity provider unavailable: ${unavailable.detail.slice(0, 200)}`);
    return failedSignIn("sso_failed", `token exchange or ID token check failed: ${errorMessage(error).slice(0, 200)}`);
  }
  // The refresh and ID tokens are kept sealed with the session (lib/auth/sso-tokens.ts), to re-check
  // access and to sign out at the provider; the access token is not kept. Nothing reaches the browser.

  if (reauth) return finishReauthentication(db, config, oidc, claims, providerTokens, reauth, sessionCookie, request, next, failedSignIn, now);
  const result = await signInSsoUser(db, config, oidc, claims, { rememberMe: transaction.rememberMe === true, providerTokens }, request, now);
  if (!result.ok) return failedSignIn(result.code, result.detail, result.username);
  recordLoginAttempt("oidc", "ok");
  return { ...result, next };
}

/**
 * The callback of a re-authentication: the browser must still hold the session it began from, the
 * provider must have signed in the same (issuer, subject) again after the request began (auth_time),
 * and then that session gets a new token and authenticatedAt; its role follows the fresh claims.
 */
async function finishReauthentication(
  db: Database,
  config: Config,
  oidc: OidcConfig,
  claims: client.IDToken,
  providerTokens: ProviderTokens,
  reauth: NonNullable<Transaction["reauth"]>,
  sessionCookie: string | undefined,
  request: RequestInfo,
  next: string,
  failedSignIn: (code: OidcFailure, detail: string, username?: string | null) => Promise<OidcRefusal>,
  now: Date,
): Promise<OidcResult> {
  const check = await validateSessionCookie(db, config, sessionCookie, request, now);
  const owner =
    check.status === "active" ? await db.prisma.user.findUnique({ where: { id: check.user.id }, select: { oidcIssuer: true, oidcSubject: true } }) : null;
  const refusal = reauthenticationRefusal(reauth, check, owner, claims);
  if (refusal !== null) return failedSignIn("sso_reauthentication_failed", refusal, check.status === "active" ? check.user.username : null);
  if (check.status !== "active") return failedSignIn("sso_reauthentication_failed", "no session");
  await db.prisma.user.update({ where: { id: check.user.id }, data: { role: roleFromClaims(oidc, claims) } });
  // With the token, the provider session this sign-in names replaces the session's: the provider may
  // have started a new one, whose logout must end this.
  const { token } = await rotateSessionToken(db, check, { proof: "identity provider (prompt=login)", oidcSid: providerSessionId(claims) }, request, now);
  // The new sign-in's tokens replace the session's (a fresh grant; the re-check starts over).
  await storeProviderTokens(db, config, check.session.id, providerTokens, now);
  return { ok: true, reauthenticated: true, token, persistent: check.cookiePersistent, next };
}

/**
 * Why a re-authentication's callback does not prove the session's owner signed in again, or null
 * when it does: the browser still holds the session the request began from, the provider signed in
 * that session's (issuer, subject), and did so after the request began (auth_time).
 */
export function reauthenticationRefusal(
  reauth: { sessionId: string; startedAt: number },
  check: SessionCheck,
  owner: { oidcIssuer: string | null; oidcSubject: string | null } | null,
  claims: { iss: string; sub: string; auth_time?: unknown },
): string | null {
  if (check.status !== "active" || check.session.id !== reauth.sessionId || check.session.authMethod !== "oidc") {
    return "re-authentication for a session this browser no longer holds";
  }
  if (!owner || owner.oidcIssuer !== claims.iss || owner.oidcSubject !== claims.sub) return "the identity provider signed in a different account";
  if (typeof claims.auth_time !== "number" || claims.auth_time < reauth.startedAt - AUTH_TIME_SKEW_SECONDS) {
    return "the identity provider did not sign the person in again (auth_time)";
  }
  return null;
}

/** How long the sealed ID token handed to the browser at Log out can be used to sign out at the provider. */
const LOGOUT_HINT_TTL_SECONDS = 600;

/**
 * At Log out the session and its kept tokens are deleted (and Clear-Site-Data wipes cookies), so the
 * ID token that the provider's logout needs travels in the "Also sign out" link: sealed (encrypted
 * and authenticated, DASHBOARD_SECRET), good for LOGOUT_HINT_TTL_SECONDS, only ever used as
 * id_token_hint.
 */
export async function sealLogoutHint(config: Config, idToken: string): Promise<string> {
  return seal(config, { idToken }, LOGOUT_HINT_TTL_SECONDS);
}

/** Where "Also sign out of your identity provider" goes: with the sealed hint when there is one. */
export const identityProviderLogoutPath = (hint: string | null) =>
  hint && hint.length <= 4096 ? `/api/auth/oidc/logout?${new URLSearchParams({ hint })}` : "/api/auth/oidc/logout";

/**
 * RP-initiated logout: the provider's end_session_endpoint with our client_id, the way back to
 * /login and, from the sealed `hint` of Log out, the session's ID token as id_token_hint, so the
 * provider signs the person out without asking. Null when the provider has none (or cannot be
 * reached). Without a usable hint (expired, or a session that kept no ID token) the provider asks
 * the person to confirm.
 */
export async function identityProviderLogoutUrl(config: Config, oidc: OidcConfig, hint?: string | null): Promise<URL | null> {
  try {
    const provider = await oidcClient(oidc);
    if (!provider.serverMetadata().end_session_endpoint) return null;
    const opened = hint ? await unseal<{ idToken: string }>(config, hint, LOGOUT_HINT_TTL_SECONDS) : null;
    const idToken = typeof opened?.idToken === "string" ? opened.idToken : null;
    return client.buildEndSessionUrl(provider, {
      client_id: oidc.clientId,
      post_logout_redirect_uri: new URL("/login?signedOut=1", config.publicUrl).toString(),
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  } catch (error) {
    logger().error({ err: error }, `Cannot build the identity provider's logout URL: ${errorMessage(error)}`);
    return null;
  }
}

const errorMessage = (error: unknown) => (error instanceof IdentityProviderUnavailableError ? error.detail : error instanceof Error ? error.message : String(error));
