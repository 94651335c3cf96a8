import type { NextRequest } from "next/server";
import { recordAnonymousFailure } from "@/lib/audit";
import { IdentityProviderUnavailableError } from "@/lib/auth/identity-provider";
import { startOidcLogin, txCookieName, txCookieOptions } from "@/lib/auth/oidc";
import { apiContext, apiRoute, checkApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToFailedLogin } from "@/lib/http/redirect";
import { readOptionalBody } from "@/lib/http/body";
import { safeReturnPath } from "@/lib/request/return-path";
import { OIDC_LOGIN_CHECKBOXES, oidcLoginFormSchema } from "@/lib/validation/auth";
import { logger } from "@/lib/log";

/**
 * "Sign in with SSO" (a form post): redirects to the identity provider with a fresh sealed
 * transaction. A POST, so the same-origin rule applies: another site cannot start a sign-in in
 * this browser (login CSRF). `reauth`: an SSO admin confirming a destructive action signs in again
 * at the provider (prompt=login, max_age=0) and comes back to `next` with a fresh session token.
 */
export const POST = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const form = oidcLoginFormSchema.parse((await readOptionalBody(request, OIDC_LOGIN_CHECKBOXES)).data);
  const next = safeReturnPath(form.next);
  const oidc = context.config.oidc;
  const toLogin = (error: string) => seeOtherToFailedLogin(context.config, error, { next });
  if (!oidc) return toLogin("sso_not_configured");
  let reauthSessionId: string | undefined;
  if (form.reauth) {
    const check = await checkApiSession(request, context);
    // Only the SSO session this browser holds can be re-authenticated; anyone else signs in normally.
    if (check.status === "active" && check.session.authMethod === "oidc") reauthSessionId = check.session.id;
  }
  try {
    const { url, transaction } = await startOidcLogin(context.config, oidc, {
      rememberMe: form.rememberMe,
      next,
      reauthSessionId,
    });
    const response = seeOther(url);
    response.cookies.set(txCookieName(context.config), transaction, txCookieOptions(context.config));
    return response;
  } catch (error) {
    if (!(error instanceof IdentityProviderUnavailableError)) throw error;
    logger().error({ detail: error.detail }, "Single sign-on is unavailable: the identity provider's discovery failed");
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

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
