import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
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

/**
 * Values kept at rest (the identity provider's tokens): AES-256-GCM under a key derived by HKDF from
 * each DASHBOARD_SECRET. The first secret seals; every one unseals, so rotating DASHBOARD_SECRET the
 * documented way keeps them readable (and the next write re-seals with the new one). A leaked
 * database dump holds only ciphertext. `context` (what the value is, and for which row) is
 * authenticated too, so a sealed value cannot be moved to another row or field.
 */
type AtRestKey = { id: string; key: Buffer };
const atRestKeys = new WeakMap<Config, AtRestKey[]>();
const AT_REST_VERSION = "v1";

function keysAtRest(config: Config): AtRestKey[] {
  let keys = atRestKeys.get(config);
  if (!keys) {
    keys = config.secrets.map((secret) => ({
      key: Buffer.from(hkdfSync("sha256", secret, "sessionboard", "sessionboard:at-rest:aes-256-gcm", 32)),
      // Names the key without revealing it, so unsealing tries the right one first.
      id: Buffer.from(hkdfSync("sha256", secret, "sessionboard", "sessionboard:at-rest:key-id", 6)).toString("base64url"),
    }));
    atRestKeys.set(config, keys);
  }
  return keys;
}

export function sealAtRest(config: Config, plaintext: string, context: string): string {
  const [{ id, key }] = keysAtRest(config);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [AT_REST_VERSION, id, iv.toString("base64url"), body.toString("base64url")].join(".");
}

/** The plaintext, or null when no configured secret opens it (removed from the list, or tampered). */
export function unsealAtRest(config: Config, sealed: string, context: string): string | null {
  const [version, id, iv, body] = sealed.split(".");
  if (version !== AT_REST_VERSION || !id || !iv || !body) return null;
  const keys = keysAtRest(config);
  for (const candidate of [...keys.filter((k) => k.id === id), ...keys.filter((k) => k.id !== id)]) {
    try {
      const data = Buffer.from(body, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", candidate.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      // not this key
    }
  }
  return null;
}

/** Whether `sealed` was sealed with the current (first) secret; otherwise worth re-sealing. */
export const sealedWithCurrentKey = (config: Config, sealed: string) => sealed.split(".")[1] === keysAtRest(config)[0].id;
