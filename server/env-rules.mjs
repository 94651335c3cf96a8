// The rules of the variables that server.mjs reads itself, before the app starts. Plain JavaScript
// so that server.mjs (run by Node without a build) and lib/config.ts share one definition; the
// config reports a bad value at start-up, naming the variable.

/** pino's levels, most severe first; "silent" logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** DASHBOARD_LOG_LEVEL: one of LOG_LEVELS (default info); null when it is none of them. */
export function parseLogLevel(raw) {
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "") return "info";
  return LOG_LEVELS.includes(value) ? value : null;
}

/** DASHBOARD_TRUST_PROXY: a number of proxy hops, or true (1) / false (0, the default); null otherwise. */
export function parseTrustProxy(raw) {
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "") return 0;
  // A chain of proxies is a few hops; more digits than that is a typo.
  if (/^\d{1,2}$/.test(value)) return Number(value);
  if (["true", "yes", "on"].includes(value)) return 1;
  if (["false", "no", "off"].includes(value)) return 0;
  return null;
}
