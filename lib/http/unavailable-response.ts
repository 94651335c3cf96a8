import { NextResponse } from "next/server";
import { ERRORS, errorMessage } from "../errors";
import { safeReturnPath } from "../request/return-path";

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
  const target = escapeHtml(safeReturnPath(returnPath));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS * 2}; url=${target}">
<title>Temporarily unavailable · Sessionboard</title>
<style nonce="${nonce}">
  body { margin: 0; font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f8fafc; color: #0f172a; }
  main { max-width: 28rem; margin: 0 auto; padding: 6rem 1rem; text-align: center; }
  h1 { font-size: 1.5rem; font-weight: 600; margin: 0; }
  p { color: #475569; font-size: 0.875rem; line-height: 1.5; }
  a { display: inline-block; margin-top: 1rem; color: #4f46e5; font-weight: 500; font-size: 0.875rem; }
  a:focus-visible { outline: 2px solid #4f46e5; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>Temporarily unavailable</h1>
<p>Sessionboard cannot reach its session database right now, so nobody can sign in or see sessions. Signed-in sessions are kept.</p>
<p>This page tries again every ${RETRY_AFTER_SECONDS * 2} seconds.</p>
<a href="${target}">Try again now</a>
</main>
</body>
</html>`;
  return new NextResponse(html, {
    status: ERRORS.database_unavailable.status,
    headers: {
      ...unavailableHeaders(),
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    },
  });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
