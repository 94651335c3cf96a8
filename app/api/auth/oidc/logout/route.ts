import type { NextRequest } from "next/server";
import { identityProviderLogoutUrl } from "@/lib/auth/oidc";
import { apiContext, apiRoute } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";

/** "Also sign out of the identity provider": to its end_session_endpoint, which sends the browser back to /login. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const hint = request.nextUrl.searchParams.get("hint");
  const url = context.config.oidc ? await identityProviderLogoutUrl(context.config, context.config.oidc, hint) : null;
  return url ? seeOther(url) : seeOtherToLogin({ signedOut: "1" });
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
