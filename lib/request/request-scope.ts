/**
 * The request server.mjs is handling (server/request-scope.mjs, shared with it): the app notes the
 * public id of the session a request came with, for its access line, and the status of a page that
 * answers 404 or 403 itself.
 */
export { noteRequestSession, noteRequestStatus } from "../../server/request-scope.mjs";
