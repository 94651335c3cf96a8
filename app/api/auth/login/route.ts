import type { NextRequest } from "next/server";
import { ZodError } from "zod";
import { signInWithKey, type LoginAnswer } from "@/lib/auth/static-login";
import { apiContext, apiRoute, json } from "@/lib/http/api";
import { readBody } from "@/lib/http/body";
import { allowOnly } from "@/lib/http/methods";
import type { Config } from "@/lib/config";
import { seeOther, seeOtherToFailedLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/request/return-path";
import { setSessionCookie } from "@/lib/sessions/cookie";
import { noteRequestSession } from "@/lib/request/request-scope";
import { clearNotice } from "@/lib/notice";
import { presentSession } from "@/lib/sessions/present";
import { LOGIN_CHECKBOXES, loginSchema } from "@/lib/validation/auth";
import { USERNAME_MAX_LENGTH } from "@/lib/validation/username";

/** JSON clients get JSON; the login form (form-encoded, works without JavaScript) gets redirects. */
export const POST = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const { data, form } = await readBody(request, LOGIN_CHECKBOXES);
  const parsed = loginSchema.safeParse(data);
  if (!parsed.success) {
    if (form) return backToLogin(context.config, data, "invalid_input");
    throw new ZodError(parsed.error.issues);
  }
  const input = parsed.data;
  const result = await signInWithKey(context.db, context.config, input, context.request);

  if (!result.ok) {
    if (form) return backToLogin(context.config, data, result.code, result.error.retryAfterSeconds);
    throw result.error;
  }

  // The access line names the session just created (by its public id).
  noteRequestSession(result.session.id);
  const response = form
    ? seeOther(safeReturnPath(input.next))
    : json({ user: result.user, session: presentSession(result.session, result.session.id) } satisfies LoginAnswer);
  setSessionCookie(response.cookies, context.config, { token: result.token, persistent: result.persistent });
  clearNotice(response.cookies, context.config);
  return response;
});

function backToLogin(config: Config, data: unknown, error: string, retryAfter?: number) {
  const fields = (data ?? {}) as Record<string, unknown>;
  return seeOtherToFailedLogin(config, error, {
    username: typeof fields.username === "string" ? fields.username.slice(0, USERNAME_MAX_LENGTH) : undefined,
    next: typeof fields.next === "string" ? safeReturnPath(fields.next) : undefined,
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
  });
}

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
