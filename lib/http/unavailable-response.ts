import { NextResponse } from "next/server";
import { ERRORS, errorMessage } from "../errors";
import { safeReturnPath } from "../request/return-path";
import { escapeHtml, plainPage, plainPageCsp } from "../../server/plain-page.mjs";

export const RETRY_AFTER_SECONDS = 5;

/** The headers of every answer during an outage (the API's, the page's, the health report's). */
export const unavailableHeaders = () => ({ "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store" });

/** The API's answer during a database outage (the same body errorResponse gives). */
export function unavailableJson(): NextResponse {
  return NextResponse.json(
    { error: { code: "database_unavailable", message: errorMessage("database_unavailable") } },
    { status: ERRORS.database_unavailable.status, headers: unavailableHeaders() },
  );
}

/**
 * The page shown during a database outage: 503, self-contained (the app's pages need the database
 * for the session check), and it reloads `returnPath` by itself every few seconds.
 */
export function unavailablePage(returnPath: string, nonce: string): NextResponse {
  const target = safeReturnPath(returnPath);
  const html = plainPage({
    title: "Temporarily unavailable",
    paragraphs: [
      "Sessionboard cannot reach its session database right now, so nobody can sign in or see sessions. Signed-in sessions are kept.",
      `This page tries again every ${RETRY_AFTER_SECONDS * 2} seconds.`,
    ],
    link: { href: target, text: "Try again now" },
    nonce,
    head: `<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS * 2}; url=${escapeHtml(target)}">\n`,
  });
  return new NextResponse(html, {
    status: ERRORS.database_unavailable.status,
    headers: { ...unavailableHeaders(), "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": plainPageCsp(nonce) },
  });
}
