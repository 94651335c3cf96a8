import type { Config } from "../config";
import type { Database } from "../db";
import { noteRequestSession } from "../request/request-scope";
import type { RequestInfo } from "../request/types";
import { validateSessionCookie, type SessionCheck } from "../sessions/sessions";

/**
 * The session check as pages and API routes run it: the cookie validated, and the session (its
 * public id) noted for the request's access line.
 */
export async function checkRequestSession(db: Database, config: Config, cookie: string | undefined, request: RequestInfo): Promise<SessionCheck> {
  const check = await validateSessionCookie(db, config, cookie, request);
  if (check.status === "active") noteRequestSession(check.session.id);
  return check;
}
