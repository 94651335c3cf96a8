import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { reportDatabaseFailure } from "../db/availability";
import { DomainError } from "../errors";
import { RETRY_AFTER_SECONDS, unavailableJson } from "./unavailable-response";

const DOMAIN_STATUS = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  too_many_requests: 429,
  unavailable: 503,
} as const satisfies Record<DomainError["kind"], number>;

/** A failure with a status, a stable machine-readable code and a message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A state-changing request from another site (CSRF), refused by the same-origin rule. */
export const crossSiteRequest = () => new ApiError(403, "cross_site_request", "Cross-site requests are not allowed");

export const badRequest = (message: string, code = "bad_request") => new ApiError(400, code, message);
export const unauthorized = (message = "Sign in to continue", code = "unauthenticated") => new ApiError(401, code, message);
export const notFound = (message = "There is nothing at this address", code = "not_found") => new ApiError(404, code, message);
/** `allow`: the methods the address does serve, as the Allow header lists them ("GET, HEAD, OPTIONS"). */
export const methodNotAllowed = (method: string, allow: string) =>
  new ApiError(405, "method_not_allowed", `${method} is not allowed here; this address accepts ${allow}`, { Allow: allow });
/** A path whose percent-encoding does not decode (to UTF-8): no route can be matched against it. */

/** Builds the one error shape every API route answers with: {"error": {"code", "message"}}. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof ApiError) {
    return NextResponse.json(
      { error: { code: error.code, message: error.message } },
      { status: error.status, headers: error.headers },
    );
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.kind];
    const retryAfter = error.retryAfterSeconds ?? (status === 503 ? RETRY_AFTER_SECONDS : undefined);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) };
    return NextResponse.json({ error: { code: error.code, message: error.message } }, { status, headers });
  }
  if (error instanceof ZodError) {
    const first = error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    return NextResponse.json(
      { error: { code: "invalid_input", message: `${where}${first?.message ?? "Invalid input"}` } },
      { status: 400 },
    );
  }
  // Only an error the database layer marked can mean a database outage (see lib/db/boundary.ts).
  if (reportDatabaseFailure(error)) return unavailableJson();
  // Unexpected: log for the operator, never show details to the client.
  console.error(error);
  return NextResponse.json({ error: { code: "internal_error", message: "Something went wrong" } }, { status: 500 });
}
