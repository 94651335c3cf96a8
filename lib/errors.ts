/**
 * A domain rule said no, or ("unavailable") a service the domain relies on could not be asked.
 * `lib/` throws these without knowing about HTTP; the API maps the kind to a status in one place
 * (lib/http/errors.ts) and pages turn the code into a message.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: "bad_request" | "not_found" | "conflict" | "forbidden" | "too_many_requests" | "unavailable",
    readonly code: string,
    message: string,
    /** For "too_many_requests": when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
