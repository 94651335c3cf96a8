import type { Config } from "../config";
import type { ApproximateLocation, HeaderSource } from "./types";
import { headerText } from "./header-text";

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

/** Proxies send city names as raw UTF-8 (Cloudflare; headerText decodes it) or percent-encoded (Vercel). */
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
  return headerText(text, 100);
}
