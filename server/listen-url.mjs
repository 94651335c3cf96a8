/**
 * The address a listener announces in its start-up line: a wildcard bind (0.0.0.0, ::) as
 * localhost, an IPv6 address in brackets (http://[::1]:3000, not http://::1:3000).
 */
export function listenUrl(hostname, port, path = "") {
  const host = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}${path}`;
}
