// A form posted from a page loaded before the app was updated names its action by an id the new
// build does not have. Without script, Next.js answers that with a line of plain text ("Server Action
// unavailable."); the browser shows that and nothing else. This answers it with a page that says
// what happened and leads back, keeping Next's status (409, or 400 for an id no build could have).
import { randomBytes } from "node:crypto";
import { plainPage, plainPageCsp } from "./plain-page.mjs";

/** How Next.js marks its answer to an action it does not have. */
const ACTION_NOT_FOUND_HEADER = "x-nextjs-action-not-found";
/** The header React's calls of an action carry; a form posted without script has none. */
const ACTION_CALL_HEADER = "next-action";

/** The page, for the address the form was posted to (a path: server.mjs refuses any other target). */
export const staleFormPage = (path, nonce) =>
  plainPage({
    title: "This page was out of date",
    paragraphs: ["Sessionboard was updated after this page was loaded, and the form you sent belongs to the old version. Nothing was changed."],
    link: { href: path, text: "Open the page again" },
    nonce,
  });

/**
 * For a page post without script: when Next.js answers that it does not have the form's action,
 * its text becomes staleFormPage. Next marks that answer with a header, writes the head, then the text.
 */
export function answerStaleFormsWithAPage(req, res) {
  if (req.method !== "POST" || req.headers[ACTION_CALL_HEADER] !== undefined) return;
  // Read now: Next may rewrite req.url while it handles the request.
  const path = req.url ?? "/";
  let page = null;
  const { writeHead, write, end } = res;
  res.writeHead = function writeStaleFormHead(statusCode, ...rest) {
    if (res.getHeader(ACTION_NOT_FOUND_HEADER) !== "1") return writeHead.call(this, statusCode, ...rest);
    const nonce = randomBytes(16).toString("base64");
    page = staleFormPage(path, nonce);
    res.removeHeader(ACTION_NOT_FOUND_HEADER);
    res.removeHeader("ETag");
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.setHeader("Content-Length", String(Buffer.byteLength(page)));
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Security-Policy", plainPageCsp(nonce));
    // Next's own headers are all set on the response (setHeader) before this, none passed here.
    return writeHead.call(this, statusCode);
  };
  res.write = function writeUnlessStale(...args) {
    return page === null ? write.apply(this, args) : true;
  };
  res.end = function endWithStaleFormPage(...args) {
    if (page === null) return end.apply(this, args);
    const callback = args.find((arg) => typeof arg === "function");
    return end.call(this, page, callback);
  };
}
