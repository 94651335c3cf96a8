import type { NextRequest } from "next/server";
import { recordAuthEvent } from "@/lib/audit";
import { OIDC_TX_COOKIE, startOidcLogin, txCookieOptions } from "@/lib/auth/oidc";
import { apiContext, apiRoute } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/http/return-path";

/** "Sign in with SSO": redirects to the identity provider with a fresh sealed transaction. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const params = request.nextUrl.searchParams;
  const next = safeReturnPath(params.get("next"));
  const oidc = context.config.oidc;
  const toLogin = (error: string) => seeOtherToLogin({ error, next });
  if (!oidc) return toLogin("sso_not_configured");
  try {
    const { url, transaction } = await startOidcLogin(context.config, oidc, {
      rememberMe: ["on", "true", "1"].includes(params.get("rememberMe") ?? ""),
      next,
    });
    const response = seeOther(url);
    response.cookies.set(OIDC_TX_COOKIE, transaction, txCookieOptions(context.config));
    return response;
  } catch (error) {
    console.error("Sessionboard: OIDC discovery failed:", error instanceof Error ? error.message : error);
    await recordAuthEvent(context.db, {
      type: "login.failed",
      authMethod: "oidc",
      ip: context.request.ip,
      userAgent: context.request.userAgent,
      detail: "identity provider unavailable (discovery failed)",
    });
    return toLogin("sso_unavailable");
  }
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
