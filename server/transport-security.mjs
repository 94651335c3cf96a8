// Strict-Transport-Security, once for server.mjs (what it answers itself, and files) and the app
// (lib/http/transport-security.ts: pages and the API). Plain JavaScript for server.mjs.

/** A year, and every subdomain: browsers then never try plain http for this host. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** Whether DASHBOARD_URL is https (its default, http://localhost, is not); over plain http the header would mean nothing. */
export function isHttpsUrl(raw) {
  try {
    return new URL((raw ?? "").trim()).protocol === "https:";
  } catch {
    return false;
  }
}
