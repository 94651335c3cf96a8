/**
 * The request server.mjs is handling (server/request-scope.mjs, shared with it): the app notes the
 * public id of the session a request came with, for its access line.
 */
export { noteRequestSession } from "../../server/request-scope.mjs";
