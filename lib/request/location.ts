import type { Config } from "../config";
import type { ApproximateLocation, HeaderSource } from "./types";
import { plainText } from "../validation/text";

/**
 * The approximate location a trusted proxy reports (CF-IPCountry / CF-IPCity by default). Read
 * only when DASHBOARD_TRUST_PROXY is set: without a proxy that overwrites these headers, any client
 * could claim any place. Returns null when the proxy sent nothing usable.
 */
export function proxyLocation(
  headers: HeaderSource,
  config: Pick<Config, "trustedProxyHops" | "locationHeaders">,
): ApproximateLocation | null {
  if (config.trustedProxyHops === 0 || !config.locationHeaders) return null;
  const country = countryCode(headers.get(config.locationHeaders.country));
  const city = cityName(headers.get(config.locationHeaders.city));
  return country || city ? { country, city } : null;
}

/** ISO 3166-1 alpha-2, upper case; Cloudflare's "XX" (unknown) is dropped, "T1" (Tor) kept. */
function countryCode(value: string | null): string | null {
  const code = value?.trim().toUpperCase() ?? "";
  return /^[A-Z]{2}$/.test(code) && code !== "XX" ? code : /^T1$/.test(code) ? "T1" : null;
}

/**
 * Proxies send city names as raw UTF-8 (Cloudflare; Node reads header bytes as Latin-1, so
 * "München" arrives as "MÃ¼nchen") or percent-encoded (Vercel). Both are decoded; control
 * characters are stripped and the length is bounded.
 */
function cityName(value: string | null): string | null {
  if (!value) return null;
  let text = value;
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not valid percent-encoding: keep the raw text.
    }
  }
  if (/^[\x00-\xff]*$/.test(text) && /[\x80-\xff]/.test(text)) {
    const utf8 = Buffer.from(text, "latin1").toString("utf8");
    if (!utf8.includes("\uFFFD")) text = utf8;
  }
  return plainText(text, 100);
}
