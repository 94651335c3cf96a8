/** `path?query` from the current query with some parameters set (string) or removed (null). */
export function pageUrl(path: string, current: Record<string, string> | URLSearchParams, changes: Record<string, string | null> = {}) {
  const params = new URLSearchParams(current);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
