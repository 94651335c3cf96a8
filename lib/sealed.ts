import { sealData, unsealData } from "iron-session";
import type { Config } from "./config";

/**
 * iron-session seals the short-lived state that must stay secret and bound to the browser
 * (notices now, the OIDC transaction later). The first DASHBOARD_SECRET seals (it gets the highest
 * id); all of them unseal, so rotation works as for the session cookie.
 */
function passwords(config: Config): Record<string, string> {
  const count = config.secrets.length;
  return Object.fromEntries(config.secrets.map((secret, index) => [String(count - index), secret]));
}

export function seal(config: Config, data: Record<string, unknown>, ttlSeconds: number): Promise<string> {
  return sealData(data, { password: passwords(config), ttl: ttlSeconds });
}

/** Returns null for a missing, tampered, expired or foreign value. */
export async function unseal<T>(config: Config, value: string | undefined, ttlSeconds: number): Promise<Partial<T> | null> {
  if (!value || value.length > 4096) return null;
  try {
    const data = await unsealData<T>(value, { password: passwords(config), ttl: ttlSeconds });
    return Object.keys(data as object).length === 0 ? null : (data as Partial<T>);
  } catch {
    return null;
  }
}
