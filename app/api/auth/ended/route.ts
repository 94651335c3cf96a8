import type { NextRequest } from "next/server";
import { apiContext, apiRoute, checkApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/request/return-path";
import { clearSessionCookie } from "@/lib/sessions/cookie";
import { sealNotice } from "@/lib/notice";

/**
 * Pages cannot set cookies, so a page that meets an ended session redirects here: clear the
 * session cookie, leave a sealed notice saying why, and go to /login. A live session is never
 * ended through this URL; it just goes back to where it was.
 */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const next = safeReturnPath(request.nextUrl.searchParams.get("next"));
  const check = await checkApiSession(request, context);
  if (check.status === "active") return seeOther(next);

  const response = seeOtherToLogin({ next });
  if (check.status === "ended") {
    // Why it ended, as the row says (the page that sent the browser here marked it): never what the
    // address says, which anyone can write.
    const notice = await sealNotice(context.config, check.reason);
    response.cookies.set(notice.name, notice.value, notice.options);
  }
  clearSessionCookie(response.cookies, context.config);
  return response;
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
