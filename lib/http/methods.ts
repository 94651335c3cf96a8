import type { NextRequest } from "next/server";
import { apiRoute } from "./api";
import { errorResponse, methodNotAllowed } from "./errors";

/** The methods a Next.js route can serve (Next's own list); no other method reaches a route. */
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/**
 * What a page address serves: GET and HEAD, and POST for its forms (server actions). Other methods
 * are answered by Next with the page itself; only those no route can serve are refused (405).
 */
export const PAGE_ALLOW = "GET, HEAD, POST";

/**
 * Set by server.mjs on a request whose method no route can serve (TRACE, PROPFIND, ...; Next fails on
 * them with a 500): such a request is passed on as OPTIONS with its real method in this header, so
 * the route — which knows what it serves — answers 405 with its Allow. Never taken from a client:
 * server.mjs removes it from every request.
 */
export const REFUSED_METHOD_HEADER = "x-sessionboard-refused-method";

/** The method a request really had when server.mjs passed it on as OPTIONS, or null. */
export function refusedMethod(request: Request): string | null {
  const method = request.headers.get(REFUSED_METHOD_HEADER);
  return method && /^[A-Za-z-]{1,32}$/.test(method) ? method : null;
}

type RouteHandler<P> = (request: NextRequest, context: { params: Promise<P> }) => Promise<Response>;

const generated = new WeakSet<object>();

/**
 * Whether a route's export is one allowOnly made (a 405, or OPTIONS's 204 with Allow) rather than a
 * handler of its own; HEAD answered by GET's handler is that handler itself. Lets the OpenAPI test
 * tell the methods a route serves from the rest without reading its source.
 */
export const isGeneratedHandler = (handler: unknown): boolean => typeof handler === "function" && generated.has(handler);

/**
 * The handlers of every method a route does not serve: 405 in the API's error shape with the
 * route's Allow (Next's own 405 has neither a body nor Allow), HEAD through GET, and OPTIONS
 * answering 204 with Allow. A route file exports its handlers and then the rest:
 *
 *   export const { HEAD, OPTIONS, POST, PUT, DELETE, PATCH } = allowOnly({ GET });
 */
export function allowOnly<P, M extends RouteMethod>(handlers: Record<M, RouteHandler<P>>): Record<Exclude<RouteMethod, M>, RouteHandler<P>> {
  const served: Partial<Record<RouteMethod, RouteHandler<P>>> = handlers;
  const names = new Set<string>(Object.keys(served));
  if (served.GET) names.add("HEAD");
  names.add("OPTIONS");
  const allow = [...names].sort().join(", ");
  const refuse: RouteHandler<P> = apiRoute(async (request) => errorResponse(methodNotAllowed(refusedMethod(request) ?? request.method, allow)), {
    duringOutage: "run",
  });

  generated.add(refuse);
  const rest: Partial<Record<RouteMethod, RouteHandler<P>>> = {};
  for (const method of ROUTE_METHODS) {
    if (served[method]) continue;
    if (method === "HEAD" && served.GET) rest.HEAD = served.GET;
    else if (method === "OPTIONS") {
      rest.OPTIONS = apiRoute(
        async (request, context) => (refusedMethod(request) ? refuse(request, context) : new Response(null, { status: 204, headers: { Allow: allow } })),
        { duringOutage: "run" },
      );
      generated.add(rest.OPTIONS);
    } else rest[method] = refuse;
  }
  return rest as Record<Exclude<RouteMethod, M>, RouteHandler<P>>;
}
