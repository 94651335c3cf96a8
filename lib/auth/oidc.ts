import * as client from "openid-client";
import type { Config, OidcConfig } from "../config";
import { recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { seal, unseal } from "../sealed";
import { createSession, type CurrentSession, type RequestInfo } from "../sessions/sessions";
import { END_REASONS } from "../sessions/end-reasons";
import { usernameSchema } from "../validation/auth";
import { isSecureDeployment } from "./cookie";
import { identityProviderFailure, identityProviderFetch, IdentityProviderUnavailableError, SSO_UNAVAILABLE_MESSAGE } from "./identity-provider";
import { generateId } from "./token";

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
  | "sso_invalid_username"
  | "sso_account_conflict"
  | "account_disabled";

/** What /login says for each failure. */
export const OIDC_FAILURE_MESSAGES: Record<OidcFailure, string> = {
  sso_unavailable: SSO_UNAVAILABLE_MESSAGE,
  sso_cancelled: "Single sign-on was cancelled.",
  sso_expired: "That sign-in took too long or was already used. Please start again.",
  sso_state: "That sign-in response did not match this browser. Please start again.",
  sso_failed: "Single sign-on failed. Please try again.",
  sso_invalid_username: "Your identity provider did not send a usable username (letters, digits and . _ @ -).",
  sso_account_conflict: "That username already belongs to a different single sign-on account.",
  account_disabled: END_REASONS.disabled,
};

type Discovery = { key: string; at: number; promise: Promise<client.Configuration> };
const holder = globalThis as unknown as { sessionboardOidc?: Discovery };

/**
 * The provider's configuration, discovered once (openid-client 6). A provider that is down makes
 * this reject with IdentityProviderUnavailableError — never the app's start-up — and it is asked
 * again after DISCOVERY_RETRY_MS.
 */
export function oidcClient(oidc: OidcConfig): Promise<client.Configuration> {
  const key = `${oidc.issuer}|${oidc.clientId}`;
  const cached = holder.sessionboardOidc;
  if (cached && cached.key === key) return cached.promise;
  const promise = client
    .discovery(
      oidc.issuer,
      oidc.clientId,
      oidc.clientSecret ?? undefined,
      oidc.clientSecret ? client.ClientSecretPost(oidc.clientSecret) : client.None(),
      {
        timeout: 5,
        // Plain http is accepted only for a loopback issuer (config enforces it), e.g. a test IdP.
        execute: oidc.issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
        // Also kept by the configuration for every later request (token endpoint, JWKS).
        [client.customFetch]: identityProviderFetch,
      },
    )
    .catch((error: unknown) => {
      // Whatever went wrong (no answer, or an answer that is no usable configuration), SSO cannot
      // work until discovery succeeds.
      throw identityProviderFailure(error) ?? new IdentityProviderUnavailableError(`discovery failed: ${errorMessage(error)}`, { cause: error });
    });
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
    const unavailable = identityProviderFailure(error);
    if (unavailable) return fail("sso_unavailable", `identity provider unavailable: ${unavailable.detail.slice(0, 200)}`);
    return fail("sso_failed", `token exchange or ID token check failed: ${errorMessage(error).slice(0, 200)}`);
  }
  // Tokens are not kept: the session is ours; nothing from the IdP reaches the browser.

  const rawName = [claims.preferred_username, claims.email, claims.sub].find((v): v is string => typeof v === "string" && v !== "");
  const username = usernameSchema.safeParse(rawName);
  if (!username.success) return fail("sso_invalid_username", `unusable username claim: ${String(rawName).slice(0, 64)}`);

  const groups = claims[oidc.groupsClaim];
  const inAdminGroup = oidc.adminGroup !== null && Array.isArray(groups) && groups.includes(oidc.adminGroup);
  const role = inAdminGroup || config.admins.has(username.data) ? "admin" : "user";
  const profile = {
    displayName: typeof claims.name === "string" ? claims.name.slice(0, 200) : null,
    email: typeof claims.email === "string" ? claims.email.slice(0, 320) : null,
    role,
    lastLoginAt: new Date(),
  };
  const issuer = claims.iss;
  const subject = claims.sub;

  const existing =
    (await db.prisma.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: issuer, oidcSubject: subject } } })) ??
    (await db.prisma.user.findUnique({ where: { username: username.data } }));
  if (existing && existing.oidcSubject !== null && (existing.oidcSubject !== subject || existing.oidcIssuer !== issuer)) {
    return fail("sso_account_conflict", `username ${username.data} belongs to another SSO subject`, username.data);
  }
  if (existing?.disabledAt) return fail("account_disabled", "account disabled", existing.username);
  // A static-key user of the same name becomes this SSO identity (static users are only names).
  const user = existing
    ? await db.prisma.user.update({
        where: { id: existing.id },
        data: { ...profile, authSource: "oidc", oidcIssuer: issuer, oidcSubject: subject },
      })
    : await db.prisma.user.create({
        data: { id: generateId(), username: username.data, authSource: "oidc", oidcIssuer: issuer, oidcSubject: subject, ...profile },
      });

  const persistent = transaction.rememberMe === true;
  const { token, session } = await createSession(
    db,
    config,
    {
      userId: user.id,
      username: user.username,
      authMethod: "oidc",
      rememberMe: persistent,
      keyFingerprint: null,
      oidcSid: typeof claims.sid === "string" ? claims.sid.slice(0, 256) : null,
      loginDetail: role === "admin" ? "admin via SSO" : null,
    },
    request,
  );
  return {
    ok: true,
    token,
    persistent,
    next,
    session: { ...session, authMethod: "oidc" },
    user: { id: user.id, username: user.username },
  };
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
    console.error("Sessionboard: cannot build the identity provider's logout URL:", errorMessage(error));
    return null;
  }
}

const errorMessage = (error: unknown) => (error instanceof IdentityProviderUnavailableError ? error.detail : error instanceof Error ? error.message : String(error));
