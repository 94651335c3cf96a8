/**
 * A domain rule said no, or ("unavailable") a service the domain relies on could not be asked.
 * `lib/` throws these without knowing about HTTP; the API maps the kind to a status in one place
 * (lib/http/errors.ts) and pages turn the code into a message.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: "bad_request" | "not_found" | "conflict" | "forbidden" | "unavailable",
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
