import { createHmac } from "node:crypto";
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
