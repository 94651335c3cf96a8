import * as client from "openid-client";
import type { Config, OidcConfig } from "../config";
import { recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { seal, unseal } from "../sealed";
import type { CurrentSession, RequestInfo } from "../sessions/sessions";
import { isSecureDeployment } from "./cookie";
import { signInSsoUser, SSO_FAILURE_MESSAGES, type SsoSignInFailure } from "./sso-identity";

/** The in-flight sign-in, sealed into a short-lived cookie bound to this browser. */
export const OIDC_TX_COOKIE = "oidc_tx";
const TX_TTL_SECONDS = 600;
/** A failed discovery is retried after this long, so an IdP that comes back is picked up. */
const DISCOVERY_RETRY_MS = 30_000;

type Transaction = { state: string; nonce: string; codeVerifier: string; rememberMe: boolean; next: string };

export type OidcFailure =
  | "sso_unavailable"
  | "sso_cancelled"
  | "sso_expired"
  | "sso_state"
  | "sso_failed"
  | SsoSignInFailure;

/** What /login says for each failure. */
export const OIDC_FAILURE_MESSAGES: Record<OidcFailure, string> = {
  sso_unavailable: "Single sign-on is unavailable right now (the identity provider did not answer). Sign in with a key, or try again shortly.",
  sso_cancelled: "Single sign-on was cancelled.",
  sso_expired: "That sign-in took too long or was already used. Please start again.",
  sso_state: "That sign-in response did not match this browser. Please start again.",
  sso_failed: "Single sign-on failed. Please try again.",
  ...SSO_FAILURE_MESSAGES,
};

type Discovery = { key: string; at: number; promise: Promise<client.Configuration> };
const holder = globalThis as unknown as { sessionboardOidc?: Discovery };

/**
 * The provider's configuration, discovered once (openid-client 6). A provider that is down makes
 * this reject — never the app's start-up — and it is asked again after DISCOVERY_RETRY_MS.
 */
export function oidcClient(oidc: OidcConfig): Promise<client.Configuration> {
  const key = `${oidc.issuer}|${oidc.clientId}`;
  const cached = holder.sessionboardOidc;
  if (cached && cached.key === key) return cached.promise;
  const promise = client.discovery(
    oidc.issuer,
    oidc.clientId,
    oidc.clientSecret ?? undefined,
    oidc.clientSecret ? client.ClientSecretPost(oidc.clientSecret) : client.None(),
    {
      timeout: 5,
      // Plain http is accepted only for a loopback issuer (config enforces it), e.g. a test IdP.
      execute: oidc.issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
    },
  );
  const entry = { key, at: Date.now(), promise };
  holder.sessionboardOidc = entry;
  promise.catch(() => {
    setTimeout(() => {
      if (holder.sessionboardOidc === entry) holder.sessionboardOidc = undefined;
    }, DISCOVERY_RETRY_MS).unref();
  });
  return promise;
}

export const txCookieOptions = (config: Config) => ({
  httpOnly: true,
  sameSite: "lax" as const,
  path: "/api/auth/oidc",
  secure: isSecureDeployment(config),
  maxAge: TX_TTL_SECONDS,
});

/** Step 1: the provider's authorization URL (code flow, PKCE S256, state, nonce) and the sealed transaction. */
export async function startOidcLogin(config: Config, oidc: OidcConfig, options: { rememberMe: boolean; next: string }) {
  const provider = await oidcClient(oidc);
  const transaction: Transaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    rememberMe: options.rememberMe,
    next: options.next,
  };
  const url = client.buildAuthorizationUrl(provider, {
    redirect_uri: oidc.redirectUri,
    scope: oidc.scopes,
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
    code_challenge_method: "S256",
    state: transaction.state,
    nonce: transaction.nonce,
  });
  return { url, transaction: await seal(config, transaction, TX_TTL_SECONDS) };
}

export type OidcResult =
  | { ok: true; token: string; persistent: boolean; next: string; session: CurrentSession; user: { id: string; username: string } }
  | { ok: false; code: OidcFailure; next: string };

/**
 * Step 2, the callback: checks the transaction and state, exchanges the code (openid-client checks
 * PKCE, nonce, issuer, audience, expiry and the signature against the provider's JWKS), then creates
 * or updates the user from the claims and starts an "oidc" session. Every failure is audited and
 * returned as a code for /login, never thrown.
 */
export async function finishOidcLogin(
  db: Database,
  config: Config,
  oidc: OidcConfig,
  callbackUrl: URL,
  sealedTransaction: string | undefined,
  request: RequestInfo,
): Promise<OidcResult> {
  const transaction = await unseal<Transaction>(config, sealedTransaction, TX_TTL_SECONDS);
  const next = typeof transaction?.next === "string" ? transaction.next : "/";
  const fail = async (code: OidcFailure, detail: string, username: string | null = null): Promise<OidcResult> => {
    await recordAuthEvent(db, { type: "login.failed", authMethod: "oidc", username, ip: request.ip, userAgent: request.userAgent, detail });
    return { ok: false, code, next };
  };

  const idpError = callbackUrl.searchParams.get("error");
  if (idpError) {
    const description = callbackUrl.searchParams.get("error_description")?.slice(0, 200);
    return fail(idpError === "access_denied" ? "sso_cancelled" : "sso_failed", `provider error: ${idpError}${description ? ` (${description})` : ""}`);
  }
  if (!transaction?.state || !transaction.nonce || !transaction.codeVerifier) {
    return fail("sso_expired", "no sign-in in progress (transaction cookie missing, expired or already used)");
  }
  if (callbackUrl.searchParams.get("state") !== transaction.state) return fail("sso_state", "state mismatch");

  let claims: client.IDToken;
  try {
    const provider = await oidcClient(oidc);
    // The redirect URI must match the one sent in step 1 exactly; rebuild it from configuration.
    const current = new URL(oidc.redirectUri);
    current.search = callbackUrl.search;
    const tokens = await client.authorizationCodeGrant(provider, current, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) return fail("sso_failed", "no ID token");
    claims = idClaims;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail("sso_failed", `token exchange or ID token check failed: ${message.slice(0, 200)}`);
  }
  // Tokens are not kept: the session is ours; nothing from the IdP reaches the browser.

  const result = await signInSsoUser(db, config, oidc, claims, { rememberMe: transaction.rememberMe === true }, request);
  if (!result.ok) return fail(result.code, result.detail, result.username);
  return { ...result, next };
}

/**
 * RP-initiated logout: the provider's end_session_endpoint with our client_id and the way back to
 * /login, or null when the provider has none (or cannot be reached). No ID token is kept, so no
 * id_token_hint is sent; the provider asks the person to confirm.
 */
export async function identityProviderLogoutUrl(config: Config, oidc: OidcConfig): Promise<URL | null> {
  try {
    const provider = await oidcClient(oidc);
    if (!provider.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(provider, {
      client_id: oidc.clientId,
      post_logout_redirect_uri: new URL("/login?signedOut=1", config.publicUrl).toString(),
    });
  } catch (error) {
    console.error("Sessionboard: cannot build the identity provider's logout URL:", error instanceof Error ? error.message : error);
    return null;
  }
}
