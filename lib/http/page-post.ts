// Next.js's own multipart parser for server actions: what passes here is what it reads.
import busboy from "next/dist/compiled/busboy";
import { readAtMost } from "./body";
import { ApiError } from "./errors";

/** What Next.js reads of a server action's body at most (its default limit, 1 MB). */
export const PAGE_FORM_MAX_BYTES = 1024 * 1024;

const PAGE_FORM_TYPES = "a form as multipart/form-data with its boundary (how this app's forms post)";

/**
 * What a page accepts as a POST, checked before Next.js reads it: a form as multipart/form-data (how
 * this app's forms post, with or without script), no larger than Next reads. Next answers anything
 * else that is not a form with a 500 and a stack trace in the log, and a form's other encodings name
 * no action; here each is a 415 or a 413 that says why. (A body that claims to be a form and is not,
 * or names no action: unreadablePagePost.)
 */
export function pagePostProblem(method: string, headers: { get(name: string): string | null }): ApiError | null {
  if (method !== "POST") return null;
  const type = (headers.get("content-type") ?? "").toLowerCase();
  if (!/^multipart\/form-data;.*\bboundary=\S/.test(type)) return ApiError.of("unsupported_media_type", { accepted: PAGE_FORM_TYPES });
  if (Number(headers.get("content-length") ?? "0") > PAGE_FORM_MAX_BYTES) return ApiError.of("payload_too_large", { maxBytes: PAGE_FORM_MAX_BYTES });
  return null;
}

/** The header React's server-action calls carry (the action's id); a post from a form without script has none. */
const ACTION_HEADER = "next-action";

/**
 * What React posts as the arguments (multipart field "0") when it calls an action with a form —
 * the only way this app's actions are called: one argument, the form, whose fields follow, each
 * named with the form's prefix ("_1_sessionId"). No form here uploads a file.
 */
const FORM_ARGUMENTS = '["$K1"]';
const FORM_FIELD_PREFIX = "_1_";

/** Fields of a bound action or a form state (`$ACTION_REF_1`, `$ACTION_1:0`, `$ACTION_KEY`): no form of this app has them. */
const BOUND_ACTION_FIELD = /^\$ACTION_(REF_|KEY$|\d+:)/;
/** How a form posted without script names its action (an id this build may no longer have: server/stale-form.mjs). */
const ACTION_ID_FIELD = "$ACTION_ID_";

/**
 * A page post whose body Next.js cannot decode meets an exception in its parser or in React's: a
 * 500 with a stack in the log, for anyone who sends one. This app's forms post one of two shapes,
 * and anything else is refused here with a 400, read from a copy with the parsers Next uses:
 * - without script, the form itself (multipart, in lower case as Next tells an action's post, read
 *   as the runtime's FormData), naming its action by a `$ACTION_ID_…` field;
 * - with script, React's call of the action (the Next-Action header): multipart (in lower case,
 *   as Next tells a form from a text body), read with Next's busboy: one field "0", the form's
 *   reference, and the form's own fields. Every action takes a form, so React never sends their
 *   calls as text.
 * The body counts in bytes read, not as Content-Length says (a chunked post has none), at most
 * PAGE_FORM_MAX_BYTES, and is read no further: past it, Next's own limit fails with a 500 too.
 */
export async function unreadablePagePost(request: Request): Promise<ApiError | null> {
  if (request.method !== "POST") return null;
  const type = request.headers.get("content-type") ?? "";
  const call = request.headers.has(ACTION_HEADER);
  if (!type.startsWith("multipart/form-data")) return ApiError.of("malformed_form");
  const body = await readAtMost(request.clone().body, PAGE_FORM_MAX_BYTES).catch((error: unknown) => {
    if (error instanceof ApiError) return error; // incomplete_body: the client stopped short
    throw error;
  });
  if (body instanceof ApiError) return body;
  if (body === null) return ApiError.of("payload_too_large", { maxBytes: PAGE_FORM_MAX_BYTES });
  try {
    if (call) {
      // Anything else React would read too: a file (a base64 one throws where nobody catches it,
      // stopping the process), or a field whose name it takes for a part ("00", "S0", " 0").
      const parts = await multipartParts(type, body);
      const roots = parts.filter((part) => part.name === "0");
      const fields = parts.filter((part) => part.name !== "0");
      const wellFormed = roots.length === 1 && roots[0]?.value === FORM_ARGUMENTS && fields.every((part) => part.value !== null && part.name.startsWith(FORM_FIELD_PREFIX));
      return wellFormed ? null : ApiError.of("malformed_form");
    }
    const names = [...(await new Response(new Uint8Array(body), { headers: { "content-type": type } }).formData()).keys()];
    const namesAction = names.some((name) => name.startsWith(ACTION_ID_FIELD)) && !names.some((name) => BOUND_ACTION_FIELD.test(name));
    return namesAction ? null : ApiError.of("malformed_form");
  } catch {
    return ApiError.of("malformed_form");
  }
}

/** The parts of a multipart body as Next's busboy reads a server action's: fields with their text, files without. */
function multipartParts(type: string, body: Buffer): Promise<{ name: string; value: string | null }[]> {
  return new Promise((resolve, reject) => {
    const parts: { name: string; value: string | null }[] = [];
    const parser = busboy({ headers: { "content-type": type }, defParamCharset: "utf8", limits: { fieldSize: PAGE_FORM_MAX_BYTES } });
    parser.on("field", (name, value) => parts.push({ name, value }));
    parser.on("file", (name, stream) => {
      parts.push({ name, value: null });
      // A body cut off inside a file fails the file's stream too: unheard, that error would stop
      // the process. The parser's own error answers it.
      stream.on("error", () => {});
      stream.resume();
    });
    parser.on("close", () => resolve(parts));
    parser.on("error", reject);
    parser.end(body);
  });
}
