import { NextResponse } from "next/server";
import { z, ZodError } from "zod";
import { reportDatabaseFailure } from "../db/availability";
import { DomainError, ERRORS, errorMessage, type ErrorCode, type ErrorParams, type FailureCode } from "../errors";
import { RETRY_AFTER_SECONDS, unavailableJson } from "./unavailable-response";
import { logger } from "../log";
import { issueText } from "../validation/issue-text";

/** A failure of the request itself (method, body, origin, sign-in), found by the HTTP layer; it may add headers (Allow on a 405). */
export class ApiError extends DomainError {
  private constructor(
    code: FailureCode,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(code, message);
  }

  static override of<C extends FailureCode>(code: C, ...params: ErrorParams<C>): ApiError {
    return new ApiError(code, errorMessage(code, ...params), {});
  }

  static withHeaders<C extends FailureCode>(headers: Record<string, string>, code: C, ...params: ErrorParams<C>): ApiError {
    return new ApiError(code, errorMessage(code, ...params), headers);
  }
}

/** A state-changing request from another site (CSRF), refused by the same-origin rule. */
export const crossSiteRequest = () => ApiError.of("cross_site_request");

/** A state change whose Host header names another address than DASHBOARD_URL (see namesOwnHost). */
export const hostMismatch = () => ApiError.of("host_mismatch");

export const unauthorized = () => ApiError.of("unauthenticated");
/** `allow`: the methods the address does serve, as the Allow header lists them ("GET, HEAD, OPTIONS"). */
export const methodNotAllowed = (method: string, allow: string) => ApiError.withHeaders({ Allow: allow }, "method_not_allowed", { method, allow });

/** The one error shape, as the OpenAPI description publishes it; each operation lists its codes. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]).describe("Stable: clients may depend on it"),
    message: z.string().describe("For people; wording may change"),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Builds the one error shape every API route answers with: {"error": {"code", "message"}}. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof DomainError) {
    const retryAfter = error.retryAfterSeconds ?? (error.status === 503 ? RETRY_AFTER_SECONDS : undefined);
    const headers: Record<string, string> = {
      ...(error instanceof ApiError ? error.headers : {}),
      ...(retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) }),
    };
    return NextResponse.json({ error: { code: error.code, message: error.message } } satisfies ErrorBody, { status: error.status, headers });
  }
  if (error instanceof ZodError) {
    const first = error.issues[0];
    return NextResponse.json(
      { error: { code: "invalid_input", message: first ? issueText(first) : "Invalid input" } } satisfies ErrorBody,
      { status: ERRORS.invalid_input.status },
    );
  }
  // Only an error the database layer marked can mean a database outage (see lib/db/boundary.ts).
  if (reportDatabaseFailure(error)) return unavailableJson();
  // Unexpected: log for the operator, never show details to the client.
  logger().error({ err: error }, "Unexpected error while answering a request");
  return NextResponse.json({ error: { code: "internal_error", message: errorMessage("internal_error") } } satisfies ErrorBody, {
    status: ERRORS.internal_error.status,
  });
}
