import type { Span } from "@opentelemetry/api";

/**
 * What a sign-in span carries, for key and SSO sign-ins alike: the outcome, and on success the new
 * session's public id and the user's internal id — never the key, token or anything the IdP sent.
 */
export function recordSignIn(
  span: Span,
  result: { ok: true; session?: { id: string }; user?: { id: string } } | { ok: false; code: string },
): void {
  if (!result.ok) {
    span.setAttribute("auth.result", result.code);
    return;
  }
  span.setAttribute("auth.result", "ok");
  if (result.session) span.setAttribute("session.id", result.session.id);
  if (result.user) span.setAttribute("user.id", result.user.id);
}
