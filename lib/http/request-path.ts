/** Set by the proxy on every page request: the path and query the browser asked for. */
export const REQUEST_PATH_HEADER = "x-sessionboard-path";

/**
 * Whether the path's percent-encoding decodes to UTF-8. Next decodes route parameters with
 * decodeURIComponent and answers 500 when that throws ("%", "%E0%A4%A", "%FF"); such a path names
 * nothing here, so it is refused with 400 before any route is matched.
 */
export function isDecodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}
