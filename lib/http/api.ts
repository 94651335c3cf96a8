import { NextResponse, type NextRequest } from "next/server";
import { actorOf } from "../actor";
import { confirmFreshSignIn } from "../auth/freshness";
import { assertAdmin } from "../auth/roles";
import { getConfig, type Config } from "../config";
import { clearSessionCookie, sessionCookieName, setSessionCookie } from "../sessions/cookie";
import { getDatabase } from "../db";
import { DomainError, errorMessage } from "../errors";
import type { EndReason } from "../sessions/end-reasons";
import type { SessionCheck } from "../sessions/sessions";
import { databaseAvailable, databaseDownSince } from "../db/availability";
import { crossSiteRequest, errorResponse, unauthorized } from "./errors";
import { isSameOriginRequest } from "../request/same-origin";
import { apiHeadersFor, withApiHeaders } from "./transport-security";
import { unavailableJson } from "./unavailable-response";
import { requestInfo } from "../request/request-info";
import { checkRequestSession } from "./request-session";

type RouteContext<P> = { params: Promise<P> };

/**
 * The one way into every API route. API routes do not pass through proxy.ts (Next's middleware
 * costs ≈ 480 µs a request here), so the wrapper applies what the proxy applies to pages: the
 * same-origin rule for state changes (CSRF), the 503 during a known database outage, and the
 * API's security headers (Strict-Transport-Security on https). Every failure leaves through
 * errorResponse: one error shape everywhere. `duringOutage: "run"` is for the health routes, which report an outage themselves.
 */
export function apiRoute<P = Record<string, never>>(
  handler: (request: NextRequest, context: RouteContext<P>) => Promise<Response>,
  options: { duringOutage?: "refuse" | "run" } = {},
) {
  return async (request: NextRequest, context: RouteContext<P>): Promise<Response> => {
    const config = getConfig();
    return withApiHeaders(await answer(request, context, config), config);
  };

  async function answer(request: NextRequest, context: RouteContext<P>, config: Config): Promise<Response> {
    if (!isSameOriginRequest(request.method, request.headers, config.publicUrl.origin)) return errorResponse(crossSiteRequest());
    // Only during a known outage is there anything to wait for; otherwise no await on the hot path.
    if (options.duringOutage !== "run" && databaseDownSince() !== null && !(await databaseAvailable())) return unavailableJson();
    try {
      return await handler(request, context);
    } catch (error) {
      const response = errorResponse(error);
      if (error instanceof SessionEndedError) clearSessionCookie(response.cookies, config);
      return response;
    }
  }
}

/** 401 for a session that existed but has ended; the wrapper also clears its cookie. */
export class SessionEndedError extends DomainError {
  constructor(readonly reason: EndReason) {
    super("session_ended", errorMessage("session_ended", { reason }));
  }
}

export type ApiContext = Awaited<ReturnType<typeof apiContext>>;

export async function apiContext(request: NextRequest) {
  const config = getConfig();
  const db = await getDatabase();
  return { config, db, request: requestInfo(request.headers, config) };
}

export async function checkApiSession(request: NextRequest, context: ApiContext): Promise<SessionCheck> {
  const cookie = request.cookies.get(sessionCookieName(context.config))?.value;
  return checkRequestSession(context.db, context.config, cookie, context.request);
}

/** The signed-in session, or a 401 (session_ended when it existed, unauthenticated otherwise). */
export async function requireApiSession(request: NextRequest, context: ApiContext) {
  const check = await checkApiSession(request, context);
  if (check.status === "ended") throw new SessionEndedError(check.reason);
  if (check.status === "none") throw unauthorized();
  return check;
}

/** The signed-in admin (403 for everyone else), and the actor their actions are recorded under. */
export async function requireApiAdmin(request: NextRequest, context: ApiContext) {
  const check = await requireApiSession(request, context);
  assertAdmin(check.user);
  return { ...check, actor: actorOf(check) };
}

/** A JSON answer with the API's headers (init's headers may add to them or override them). */
export const json = (body: unknown, init?: { status?: number; headers?: Record<string, string> }) =>
  new NextResponse(JSON.stringify(body), {
    status: init?.status,
    headers: { ...apiHeadersFor(getConfig()), "Content-Type": "application/json", ...init?.headers },
  });

/**
 * Runs a destructive admin action behind the re-authentication gate (a fresh sign-in, or the admin
 * key in the body). A key that replaced the session's token sets the new cookie on whatever the
 * action answers — an error too, or the admin would be signed out by their own confirmation.
 */
export async function withFreshSignIn(
  context: ApiContext,
  admin: Awaited<ReturnType<typeof requireApiAdmin>>,
  typedKey: string | undefined,
  action: () => Promise<NextResponse>,
): Promise<NextResponse> {
  const reauthenticated = await confirmFreshSignIn(context.db, context.config, admin, typedKey, context.request);
  let response: NextResponse;
  try {
    response = await action();
  } catch (error) {
    response = errorResponse(error);
  }
  if (reauthenticated) setSessionCookie(response.cookies, context.config, { token: reauthenticated.token, persistent: admin.cookiePersistent });
  return response;
}
