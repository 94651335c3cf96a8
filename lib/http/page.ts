import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { actorOf, type Actor } from "../actor";
import { isAdmin } from "../auth/roles";
import { sessionCookieName } from "../sessions/cookie";
import { getConfig, type Config } from "../config";
import { getDatabase, type Database } from "../db";
import { DomainError, type FailureCode } from "../errors";
import type { SessionCheck } from "../sessions/sessions";
import type { RequestInfo } from "../request/types";
import { whileDatabaseAvailable } from "./page-guard";
import { requestInfo } from "../request/request-info";
import { checkRequestSession } from "./request-session";
import { REQUEST_PATH_HEADER } from "./request-path";
import { noteRequestStatus } from "../request/request-scope";
import { queryObject } from "../validation/sessions";
import { sealOutcome, verifiedQuery } from "./outcome";

/**
 * The one way into pages, layouts and server actions, beside the API's apiRoute/apiContext:
 * what they work with, built once per request (React's cache) with the database opened inside
 * the outage guard, and the session checks that send people where they belong.
 */
export type PageContext = {
  config: Config;
  db: Database;
  request: RequestInfo;
  /** The path and query the browser asked for (set by the proxy): where to come back after signing in. */
  path: string;
};

export const pageContext = cache(async (): Promise<PageContext> => {
  const config = getConfig();
  const [db, requestHeaders] = await Promise.all([whileDatabaseAvailable(getDatabase), headers()]);
  return { config, db, request: requestInfo(requestHeaders, config), path: requestHeaders.get(REQUEST_PATH_HEADER) ?? "/" };
});

/** Runs a page's queries with its context; a database outage met on the way leads to the 503 page. */
export async function withPageContext<T>(work: (context: PageContext) => Promise<T>): Promise<T> {
  const context = await pageContext();
  return whileDatabaseAvailable(() => work(context));
}

/** The session check for pages and layouts, once per request. */
export const getCurrentSession = cache(
  (): Promise<SessionCheck> =>
    withPageContext(async (context) => {
      const cookie = (await cookies()).get(sessionCookieName(context.config))?.value;
      return checkRequestSession(context.db, context.config, cookie, context.request);
    }),
);

export type PageSession = Extract<SessionCheck, { status: "active" }> & { actor: Actor };

/**
 * For pages that need a signed-in person: the active session, or off to /login with this page as
 * the way back — via /api/auth/ended when a session existed, so the login page can say why it ended.
 */
export async function requireSession(): Promise<PageSession> {
  const [check, { path }] = await Promise.all([getCurrentSession(), pageContext()]);
  if (check.status === "active") return { ...check, actor: actorOf(check) };
  const next = encodeURIComponent(path);
  redirect(check.status === "ended" ? `/api/auth/ended?next=${next}` : `/login?next=${next}`);
}

/** The Admin Panel's first page. */
const ADMIN_HOME = "/admin";

/**
 * For admin actions: the admin's session; anyone else signed in is sent to the Admin Panel, which
 * answers them 403 and says why (adminPageSession); /login otherwise.
 */
export async function requireAdminSession(): Promise<PageSession> {
  const session = await requireSession();
  if (!isAdmin(session.user)) redirect(ADMIN_HOME);
  return session;
}

/**
 * A page that answers 404 or 403 draws the message itself and notes the status here: Next's
 * notFound() and forbidden() answer with an empty body that only JavaScript fills in
 * (vercel/next.js#62228), which leaves a browser without it on a blank page.
 */
export function answerWithStatus(status: 404 | 403): void {
  noteRequestStatus(status);
}

/** For admin pages: the admin's session; null (answering 403) for anyone else signed in, who is shown why; /login otherwise. */
export async function adminPageSession(): Promise<PageSession | null> {
  const session = await requireSession();
  if (isAdmin(session.user)) return session;
  answerWithStatus(403);
  return null;
}

/** A form's fields as the schema sees them: strings only, without Next's own `$ACTION…` fields, empty ones left out. */
export type FormFields = Record<string, string>;

/** The fields of what an action was called with, or null when that is not a form. */
function formFields(formData: unknown): FormFields | null {
  if (!(formData instanceof FormData)) return null;
  const fields: FormFields = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === "string" && value !== "" && !name.startsWith("$")) fields[name] = value;
  }
  return fields;
}

type FormActionOptions<S extends z.ZodType> = {
  schema: S;
  /** Who may post it: any signed-in person (default) or administrators only. */
  access?: "user" | "admin";
  /**
   * Where to go when the input is invalid ("invalid_input", with the first field the schema refused)
   * or a domain rule refuses (its code).
   */
  refused: (code: FailureCode, fields: FormFields, invalidField?: string) => string;
};

/**
 * The one wrapper every server action runs through (plain form posts work without JavaScript): the
 * access check, the form validated by its own schema, then `run`, which answers where to go next.
 * A refused rule becomes a message on the page `refused` names; anything else propagates to the
 * error page, and a database outage to the 503 page.
 */
export function formAction<S extends z.ZodType>(
  options: FormActionOptions<S>,
  run: (input: z.output<S>, session: PageSession, context: PageContext) => Promise<string>,
): (formData: FormData) => Promise<void> {
  // `unknown`, not FormData: anyone can call an action by its id with arguments of their choosing.
  return async (formData: unknown) => {
    const session = options.access === "admin" ? await requireAdminSession() : await requireSession();
    const { config } = await pageContext();
    // What the action did (or why not) comes back in the query, sealed for this session.
    function back(target: string): never {
      redirect(sealOutcome(config, session.session.id, target));
    }
    const fields = formFields(formData);
    if (fields === null) back(options.refused("invalid_input", {}));
    const parsed = options.schema.safeParse(fields);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0];
      back(options.refused("invalid_input", fields, typeof field === "string" ? field : undefined));
    }
    let target: string;
    try {
      target = await withPageContext((context) => run(parsed.data, session, context));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      target = options.refused(error.code, fields);
    }
    back(target);
  };
}

/**
 * A page's query, one value per name (the first), with a server action's outcome in it only if it
 * was sealed for the session looking, on this page (lib/http/outcome.ts): a hand-written
 * "?revoked=1" says nothing.
 */
export async function pageQuery(searchParams: Promise<Record<string, string | string[] | undefined>>): Promise<Record<string, string>> {
  return believedQuery(queryObject(await searchParams));
}

/** pageQuery for a layout, which is given no searchParams: the query of the address asked for. */
export async function requestQuery(): Promise<Record<string, string>> {
  const { path } = await pageContext();
  return believedQuery(queryObject(new URL(path, "http://sessionboard.invalid").searchParams));
}

async function believedQuery(query: Record<string, string>): Promise<Record<string, string>> {
  const [check, { config, path }] = await Promise.all([getCurrentSession(), pageContext()]);
  return verifiedQuery(config, check.status === "active" ? check.session.id : null, path, query);
}
