import { cache } from "react";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { actorOf } from "../actor";
import { getConfig } from "../config";
import { sessionCookieName } from "../auth/cookie";
import { getDatabase } from "../db";
import { whileDatabaseAvailable } from "../http/page-guard";
import { requestInfo } from "../http/request-info";
import { validateSessionCookie, type SessionCheck } from "./sessions";

/** Who is asking (address, user agent, location), for server components and server actions. */
export const getRequestInfo = cache(async () => requestInfo(await headers(), getConfig()));

/** The session check for server components; React's cache makes it run once per request. */
export const getCurrentSession = cache(
  (): Promise<SessionCheck> =>
    whileDatabaseAvailable(async () => {
      const config = getConfig();
      const [db, cookieStore, request] = await Promise.all([getDatabase(), cookies(), getRequestInfo()]);
      return validateSessionCookie(db, config, cookieStore.get(sessionCookieName(config))?.value, request);
    }),
);

/**
 * For pages that need a signed-in person: returns the active session, or leaves for /login — via
 * /api/auth/ended when a session existed, so the login page can say why it ended.
 */
export async function requireSession(returnPath: string) {
  const check = await getCurrentSession();
  if (check.status === "active") return check;
  const next = encodeURIComponent(returnPath);
  redirect(check.status === "ended" ? `/api/auth/ended?reason=${check.reason}&next=${next}` : `/login?next=${next}`);
}

/** For admin pages: the admin's session, a 403 page for anyone else signed in, /login otherwise. */
export async function requireAdminSession(returnPath: string) {
  const check = await requireSession(returnPath);
  if (check.user.role !== "admin") forbidden();
  return { ...check, actor: actorOf(check) };
}
