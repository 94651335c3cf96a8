import type { NextRequest, NextResponse } from "next/server";
import { finishOidcLogin, OIDC_TX_COOKIE, txCookieOptions } from "@/lib/auth/oidc";
import { apiContext, apiRoute } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/http/return-path";
import { setSessionCookie } from "@/lib/http/session-cookie";
import { NOTICE_COOKIE } from "@/lib/notice";

/** The identity provider sends the browser back here; success starts a session, anything else goes to /login with a reason. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const oidc = context.config.oidc;
  if (!oidc) return seeOtherToLogin({ error: "sso_not_configured" });
  const result = await finishOidcLogin(
    context.db,
    context.config,
    oidc,
    request.nextUrl,
    request.cookies.get(OIDC_TX_COOKIE)?.value,
    context.request,
  );
  const next = safeReturnPath(result.next);
  let response: NextResponse;
  if (result.ok) {
    response = seeOther(next);
    setSessionCookie(response, context.config, { token: result.token, persistent: result.persistent });
    response.cookies.delete(NOTICE_COOKIE);
  } else {
    response = seeOtherToLogin({ error: result.code, next });
  }
  // One transaction, one callback: a replayed callback URL finds no transaction.
  response.cookies.set(OIDC_TX_COOKIE, "", { ...txCookieOptions(context.config), maxAge: 0 });
  return response;
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
