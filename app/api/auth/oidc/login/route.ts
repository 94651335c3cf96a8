import type { NextRequest } from "next/server";
import { recordAnonymousFailure } from "@/lib/audit";
import { IdentityProviderUnavailableError } from "@/lib/auth/identity-provider";
import { OIDC_TX_COOKIE, startOidcLogin, txCookieOptions } from "@/lib/auth/oidc";
import { apiContext, apiRoute, checkApiSession } from "@/lib/http/api";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/http/return-path";

/**
 * "Sign in with SSO": redirects to the identity provider with a fresh sealed transaction.
 * `?reauth=1`: an SSO admin confirming a destructive action signs in again at the provider
 * (prompt=login, max_age=0) and comes back to `next` with a fresh session token.
 */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const params = request.nextUrl.searchParams;
  const next = safeReturnPath(params.get("next"));
  const oidc = context.config.oidc;
  const toLogin = (error: string) => seeOtherToLogin({ error, next });
  if (!oidc) return toLogin("sso_not_configured");
  let reauthSessionId: string | undefined;
  if (params.get("reauth") === "1") {
    const check = await checkApiSession(request, context);
    // Only the SSO session this browser holds can be re-authenticated; anyone else signs in normally.
    if (check.status === "active" && check.session.authMethod === "oidc") reauthSessionId = check.session.id;
  }
  try {
    const { url, transaction } = await startOidcLogin(context.config, oidc, {
      rememberMe: ["on", "true", "1"].includes(params.get("rememberMe") ?? ""),
      next,
      reauthSessionId,
    });
    const response = seeOther(url);
    response.cookies.set(OIDC_TX_COOKIE, transaction, txCookieOptions(context.config));
    return response;
  } catch (error) {
    if (!(error instanceof IdentityProviderUnavailableError)) throw error;
    console.error("Sessionboard: single sign-on is unavailable:", error.detail);
    await recordAnonymousFailure(context.db, context.config, {
      authMethod: "oidc",
      ip: context.request.ip,
      userAgent: context.request.userAgent,
      detail: "identity provider unavailable (discovery failed)",
      at: new Date(),
    });
    return toLogin(error.code);
  }
});
