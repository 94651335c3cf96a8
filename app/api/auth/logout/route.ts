import type { NextRequest } from "next/server";
import { apiContext, apiRoute, checkApiSession, json } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOtherToLogin } from "@/lib/http/redirect";
import { clearSessionCookie } from "@/lib/sessions/cookie";
import type { LogoutAnswer } from "@/lib/sessions/present";
import { endSessionByLogout } from "@/lib/sessions/sessions";
import { identityProviderLogoutPath, sealLogoutHint } from "@/lib/auth/oidc";
import { storedIdToken } from "@/lib/auth/sso-tokens";

/**
 * Ends this session's row and clears the cookie. Forms are redirected to /login (which, after an
 * SSO session, offers to sign out at the identity provider too); JSON gets 200.
 */
export const POST = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const check = await checkApiSession(request, context);
  const sso = check.status === "active" && check.session.authMethod === "oidc" && context.config.oidc !== null;
  // Read before the session (and its kept tokens) ends: the provider's logout wants it as id_token_hint.
  const idToken = sso && check.status === "active" ? await storedIdToken(context.db, context.config, check.session.id) : null;
  if (check.status === "active") await endSessionByLogout(context.db, check.session, check.user, context.request);
  const hint = idToken ? await sealLogoutHint(context.config, idToken) : null;

  const fromForm = (request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  const response = fromForm
    ? seeOtherToLogin({ signedOut: sso ? "sso" : "1", ...(hint ? { hint } : {}) })
    : json({ loggedOut: check.status === "active", ...(sso ? { identityProviderLogout: identityProviderLogoutPath(hint) } : {}) } satisfies LogoutAnswer);
  clearSessionCookie(response.cookies, context.config);
  response.headers.set("Clear-Site-Data", '"cookies"');
  return response;
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
