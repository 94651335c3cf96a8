// What server.mjs knows about the request being handled, reachable from the app's code without
// passing it along: the request id (for every log line written while handling it) and the
// session's public id once the app has checked the cookie (for the access line). Next bundles the
// app apart from server.mjs, so the one AsyncLocalStorage lives on globalThis under a registered symbol.
import { AsyncLocalStorage } from "node:async_hooks";

const KEY = Symbol.for("sessionboard.request");

/** The store server.mjs runs each request in. */
export function requestScope() {
  globalThis[KEY] ??= new AsyncLocalStorage();
  return globalThis[KEY];
}

/** The request being handled here, if any (none in a timer, the CLI or `next dev`). */
export const currentRequest = () => requestScope().getStore();

/** Records the status a page answers with (404, 403) where Next would write 200 (server.mjs applies it). */
export function noteRequestStatus(status) {
  const request = currentRequest();
  if (request) request.status = status;
}

/** Records the public id of the session the request came with (never its token). */
export function noteRequestSession(sessionId) {
  const request = currentRequest();
  if (request) request.sessionId = sessionId;
}
