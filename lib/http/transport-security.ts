import type { Config } from "../config";
import { isSecureDeployment } from "../auth/cookie";

/** A year, and every subdomain: browsers then never try plain http for this host. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** Adds Strict-Transport-Security when DASHBOARD_URL is https (over plain http it would be meaningless). */
export function withTransportSecurity<T extends Response>(response: T, config: Config): T {
  if (isSecureDeployment(config)) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}
