import type { NextRequest, NextResponse } from "next/server";
import { outcomeUrl } from "@/app/(app)/admin/outcomes";
import { sessionCookieName, setSessionCookie } from "@/lib/sessions/cookie";
import { finishOidcLogin, txCookieName, txCookieOptions } from "@/lib/auth/oidc";
import { apiContext, apiRoute } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToFailedLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/request/return-path";
import { sealOutcome } from "@/lib/http/outcome";
import { clearNotice } from "@/lib/notice";

/** The identity provider sends the browser back here; success starts a session, anything else goes to /login with a reason. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const oidc = context.config.oidc;
  if (!oidc) return seeOtherToFailedLogin(context.config, "sso_not_configured");
  const result = await finishOidcLogin(
    context.db,
    context.config,
    oidc,
    {
      url: request.nextUrl,
      transaction: request.cookies.get(txCookieName(context.config))?.value,
      sessionCookie: request.cookies.get(sessionCookieName(context.config))?.value,
    },
    context.request,
  );
  const next = safeReturnPath(result.next);
  let response: NextResponse;
  if (result.ok) {
    response = seeOther(next);
    setSessionCookie(response.cookies, context.config, { token: result.token, persistent: result.persistent });
    if (!("reauthenticated" in result)) clearNotice(response.cookies, context.config);
  } else if (result.reauthOf) {
    // Still signed in: back to the confirmation, which explains (to that session) that nothing was done.
    response = seeOther(sealOutcome(context.config, result.reauthOf, outcomeUrl(next, { error: result.code })));
  } else {
    response = seeOtherToFailedLogin(context.config, result.code, { next });
  }
  // One transaction, one callback: a replayed callback URL finds no transaction. One that is not its
  // callback (another state) leaves it for the one that is.
  if (result.ok || !result.keepTransaction) response.cookies.set(txCookieName(context.config), "", { ...txCookieOptions(context.config), maxAge: 0 });
  return response;
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
