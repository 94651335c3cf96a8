import { ApiError } from "./errors";

export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON or form-encoded body, refusing anything over MAX_BODY_BYTES before it is buffered
 * (413), malformed JSON (400) and other media types (415). Form fields arrive as strings; those
 * named in `checkboxes` ("on", "true", "false") become booleans so one schema serves both. Only
 * those: a username or a reason that reads "on" is text.
 */
export async function readBody(request: Request, checkboxes: readonly string[] = []): Promise<{ data: unknown; form: boolean }> {
  const form = mediaType(request) === "form";
  return parseBody(form, await readLimitedText(request), checkboxes);
}

/** JSON or a form; anything else is refused (415) before the body is read. */
function mediaType(request: Request): "json" | "form" {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  throw unsupportedMediaType();
}

function parseBody(form: boolean, text: string, checkboxes: readonly string[]): { data: unknown; form: boolean } {
  if (form) {
    const data: Record<string, unknown> = {};
    for (const [name, value] of new URLSearchParams(text)) {
      data[name] = checkboxes.includes(name) ? checkboxValue(value) : value;
    }
    return { data, form };
  }
  try {
    return { data: JSON.parse(text) as unknown, form };
  } catch {
    throw ApiError.of("malformed_json");
  }
}

/** A checkbox's value as sent by a browser ("on") or a script ("true" / "false"); anything else is left for the schema to refuse. */
const checkboxValue = (value: string) => (value === "on" || value === "true" ? true : value === "false" ? false : value);

const unsupportedMediaType = () => ApiError.of("unsupported_media_type", { accepted: "application/json or a form (application/x-www-form-urlencoded)" });

const tooLarge = () => ApiError.of("payload_too_large", { maxBytes: MAX_BODY_BYTES });

/**
 * A body's bytes, or null as soon as more than `maxBytes` have arrived: the rest is never read (a
 * chunked body says nothing of its size beforehand).
 */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer | null> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The client hung up or stopped short: its doing, not a fault of the server's to log.
      throw ApiError.of("incomplete_body");
    });
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > maxBytes) {
      // Not awaited: on a copy (Request.clone()) it settles only once the original is cancelled too.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
}

async function readLimitedText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readAtMost(request.body, MAX_BODY_BYTES);
  if (bytes === null) throw tooLarge();
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw ApiError.of("malformed_body");
  }
}

/**
 * For requests whose body is optional (e.g. DELETE with an optional reason): no body reads as {},
 * whatever type it is labelled with (many clients send `Content-Type: application/json` on every
 * request); a body that is there is read as readBody reads it.
 */
export async function readOptionalBody(request: Request, checkboxes: readonly string[] = []): Promise<{ data: unknown; form: boolean }> {
  const text = await readLimitedText(request);
  if (text === "") return { data: {}, form: false };
  return parseBody(mediaType(request) === "form", text, checkboxes);
}
