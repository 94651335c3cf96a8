import type { IncomingHttpHeaders } from "node:http";
import { NextRequest } from "next/server";

/*
 * GET routes that server.mjs answers by calling their route handler itself, without Next.js's
 * router. For a route that renders nothing, Next's handling of the request (routing, its request
 * and response adapters, its async context) costs several times the handler's own work: measured
 * on GET /api/auth/session, the route other services call on every request of theirs. The handler
 * is the route's own export, wrapper (apiRoute) included, so the answer is the same — status, body,
 * headers, cookies — whichever way the request came in; only Next's framing (chunked encoding, its
 * `Vary` for its router, compression of a body this small) is not added. Only for a route that reads
 * no more than the headers server.mjs sets and the client's own: the request's URL is the public
 * origin's, and Next's additions (X-Forwarded-Host/-Proto/-Port/-For) are not made. server.mjs
 * cannot import lib/ (Next bundles it), so the table lives on globalThis under a registered symbol.
 */
const DIRECT_ROUTES = Symbol.for("sessionboard.direct-routes");

type GetHandler = (request: NextRequest, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

/** What server.mjs passes on: the request line's target (a path, checked there) and Node's headers. */
export type DirectRequest = { url: string; headers: IncomingHttpHeaders };
export type DirectRoute = (request: DirectRequest) => Promise<Response>;

const NO_PARAMS = { params: Promise.resolve({}) };

/** Registers the GET handlers server.mjs calls directly, by exact path. */
export function serveDirectly(routes: Record<string, GetHandler>, origin: string): void {
  const table = new Map<string, DirectRoute>();
  for (const [path, handler] of Object.entries(routes)) {
    table.set(path, (request) => handler(nextRequestOf(request, origin), NO_PARAMS));
  }
  (globalThis as Record<symbol, unknown>)[DIRECT_ROUTES] = table;
}

/** The NextRequest a route handler expects, as Next would build it: the same headers, one per name. */
function nextRequestOf({ url, headers }: DirectRequest, origin: string): NextRequest {
  const requestHeaders = new Headers();
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string") requestHeaders.set(name, value);
    else if (value) for (const item of value) requestHeaders.append(name, item);
  }
  return new NextRequest(origin + url, { method: "GET", headers: requestHeaders });
}
