import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "./config";

const derived = new WeakMap<Config, Map<string, Buffer[]>>();

/**
 * A MAC key per DASHBOARD_SECRET for one purpose ("sessionboard:session-cookie", …), so no two uses
 * share key material. The first key signs; every one verifies, so rotating the secret the
 * documented way keeps what was signed under the old one valid. Derived once per configuration.
 */
export function purposeKeys(config: Config, purpose: string): Buffer[] {
  let byPurpose = derived.get(config);
  if (!byPurpose) derived.set(config, (byPurpose = new Map()));
  let keys = byPurpose.get(purpose);
  if (!keys) {
    keys = config.secrets.map((secret) => createHmac("sha256", secret).update(purpose).digest());
    byPurpose.set(purpose, keys);
  }
  return keys;
}

// JSON, so no word (a typed reason may hold anything) can shift into its neighbour.
const mac = (key: Buffer, words: readonly unknown[]) => createHmac("sha256", key).update(JSON.stringify(words)).digest();

/** An HMAC-SHA256 of `words` for `purpose` under the first secret: 43 base64url characters. */
export function signWords(config: Config, purpose: string, words: readonly unknown[]): string {
  return mac(purposeKeys(config, purpose)[0], words).toString("base64url");
}

export const SIGNATURE_PATTERN = "[A-Za-z0-9_-]{43}";
const SIGNATURE = new RegExp(`^${SIGNATURE_PATTERN}$`);

/** Whether `signature` is signWords' for these words under any configured secret. */
export function signsWords(config: Config, purpose: string, words: readonly unknown[], signature: string | undefined): boolean {
  if (signature === undefined || !SIGNATURE.test(signature)) return false;
  // 43 base64url characters are always 32 bytes, a SHA-256's length: timingSafeEqual cannot throw.
  const given = Buffer.from(signature, "base64url");
  return purposeKeys(config, purpose).some((key) => timingSafeEqual(mac(key, words), given));
}
