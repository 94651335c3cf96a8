import { ApiError } from "./errors";

/** What Next.js reads of a server action's body at most (its default limit, 1 MB). */
export const PAGE_FORM_MAX_BYTES = 1024 * 1024;

const PAGE_FORM_TYPES = "a form (multipart/form-data with its boundary, or application/x-www-form-urlencoded)";

/**
 * What a page accepts as a POST, checked before Next.js reads it: a form — React's server actions
 * post multipart/form-data, or text/plain from script — no larger than Next reads. Next answers
 * anything else with a 500 and a stack trace in the log; here it is a 415 or a 413 that says why.
 * (A body that claims to be a form and is not: unreadablePagePost.)
 */
export function pagePostProblem(method: string, headers: { get(name: string): string | null }): ApiError | null {
  if (method !== "POST") return null;
  const type = (headers.get("content-type") ?? "").toLowerCase();
  const form = /^multipart\/form-data;.*\bboundary=\S/.test(type) || /^(application\/x-www-form-urlencoded|text\/plain)\s*(;|$)/.test(type);
  if (!form) return ApiError.of("unsupported_media_type", { accepted: PAGE_FORM_TYPES });
  if (Number(headers.get("content-length") ?? "0") > PAGE_FORM_MAX_BYTES) return ApiError.of("payload_too_large", { maxBytes: PAGE_FORM_MAX_BYTES });
  return null;
}

/** The header React's server-action calls carry (the action's id); a post from a form without script has none. */
const ACTION_HEADER = "next-action";

/**
 * A page post whose body Next.js cannot decode — a body that claims to be multipart/form-data and
 * is not, or a server action's arguments (multipart field "0", or a text body) that are not a JSON
 * array —
 * meets its parser's exception: a 500. Read here first, from a copy, with the same parsers (the
 * runtime's FormData, JSON), it is a 400. Only page posts pay for it: small forms, at most
 * PAGE_FORM_MAX_BYTES (pagePostProblem, checked before).
 */
export async function unreadablePagePost(request: Request): Promise<ApiError | null> {
  if (request.method !== "POST") return null;
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const action = request.headers.has(ACTION_HEADER);
  try {
    if (type.startsWith("multipart/form-data")) {
      const root = (await request.clone().formData()).get("0");
      // A call's arguments are field "0"; without it React waits for them, then fails.
      if (action && (typeof root !== "string" || !isArgumentList(root))) return ApiError.of("malformed_form");
    } else if (action && type.startsWith("text/plain")) {
      if (!isArgumentList(await request.clone().text())) return ApiError.of("malformed_form");
    }
    return null;
  } catch {
    return ApiError.of("malformed_form");
  }
}

/**
 * React encodes an action's arguments as a JSON array, and Next fails on anything else. Within it, a
 * string "$<letter>…" refers to another part of the body (a Map, a Blob, a stream, a promise, another
 * action, …), and React fails on a reference it cannot resolve. This app's actions take a form and
 * nothing else: a form's reference ("$K1") is accepted, and the inline values React writes the same
 * way ("$undefined", "$NaN", "$Infinity", "$D<date>", "$n<bigint>"); anything else is refused.
 */
function isArgumentList(encoded: string): boolean {
  let args: unknown;
  try {
    args = JSON.parse(encoded);
  } catch {
    return false;
  }
  return Array.isArray(args) && refersOnlyToForms(args);
}

const PART_REFERENCE = /^\$[A-Za-z@]/;
const FORM_OR_INLINE_VALUE = /^\$(K[0-9a-f]+|undefined|NaN|Infinity|D.*|n-?\d+)$/;

function refersOnlyToForms(value: unknown): boolean {
  if (typeof value === "string") return !PART_REFERENCE.test(value) || FORM_OR_INLINE_VALUE.test(value);
  if (Array.isArray(value)) return value.every(refersOnlyToForms);
  if (value !== null && typeof value === "object") return Object.values(value).every(refersOnlyToForms);
  return true;
}
