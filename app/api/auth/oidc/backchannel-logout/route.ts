import type { NextRequest } from "next/server";
import { backchannelLogout } from "@/lib/auth/backchannel";
import { fail } from "@/lib/errors";
import { apiContext, apiRoute, json } from "@/lib/http/api";
import { readBody } from "@/lib/http/body";
import { allowOnly } from "@/lib/http/methods";
import type { RevokedAnswer } from "@/lib/sessions/revoke";
import { backchannelLogoutSchema } from "@/lib/validation/auth";

/**
 * OpenID Connect Back-Channel Logout 1.0: the identity provider posts a signed logout token
 * (form-encoded) and the sessions it names end at once → 200 {"revoked": N}; a bad token → 400.
 */
export const POST = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const oidc = context.config.oidc;
  if (!oidc) throw fail("sso_not_configured");
  const { logout_token } = backchannelLogoutSchema.parse((await readBody(request)).data);
  return json({ revoked: await backchannelLogout(context.db, oidc, logout_token, context.request) } satisfies RevokedAnswer);
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
