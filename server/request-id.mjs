// The request id of every request: the one a trusted proxy sent, or a new one. Plain JavaScript,
// shared by server.mjs (which sets it) and the tests.
import { randomUUID } from "node:crypto";

/** Set by server.mjs on every request the app sees, and echoed in every answer. */
export const REQUEST_ID_HEADER = "x-request-id";

/** What an id may look like: short, and nothing that could break a log line or a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the offered one only behind a trusted proxy (any client can send the header),
 * and only if it is sane; otherwise a fresh UUID.
 */
export function requestIdFor(offered, trustedProxyHops) {
  if (trustedProxyHops > 0 && typeof offered === "string" && SANE_REQUEST_ID.test(offered)) return offered;
  return randomUUID();
}
