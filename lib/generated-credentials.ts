import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type GeneratedCredentials = {
  secret: string;
  key: string;
  adminKey: string;
  file: string;
  /** True only in the process that created the file (so the sign-in hint is printed once). */
  createdNow: boolean;
};

const FILE_NAME = "generated-credentials.json";

/**
 * First-run convenience: when the environment sets no secret or keys, generate them into the data
 * directory (mode 0600) and reuse them on later starts, so a newcomer's first start just works.
 */
export function loadOrCreateGeneratedCredentials(dataDir: string): GeneratedCredentials {
  const existing = loadGeneratedCredentials(dataDir);
  if (existing) return existing;
  const file = generatedCredentialsFile(dataDir);

  fs.mkdirSync(dataDir, { recursive: true });
  const fresh = {
    secret: randomBytes(32).toString("base64url"),
    key: randomBytes(12).toString("base64url"),
    adminKey: randomBytes(12).toString("base64url"),
  };
  try {
    // "wx": two processes starting together must not overwrite each other's keys.
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    return { ...fresh, file, createdNow: true };
  } catch (error) {
    const again = readCredentials(file);
    if (again) return { ...again, file, createdNow: false };
    throw error;
  }
}

export const generatedCredentialsFile = (dataDir: string) => path.join(dataDir, FILE_NAME);

/** The credentials a first start generated in `dataDir`, or null when there are none (never creates them). */
export function loadGeneratedCredentials(dataDir: string): GeneratedCredentials | null {
  const file = generatedCredentialsFile(dataDir);
  const existing = readCredentials(file);
  return existing && { ...existing, file, createdNow: false };
}

function readCredentials(file: string): Omit<GeneratedCredentials, "file" | "createdNow"> | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    if (typeof data.secret === "string" && typeof data.key === "string" && typeof data.adminKey === "string") {
      return { secret: data.secret, key: data.key, adminKey: data.adminKey };
    }
  } catch {
    // fall through to the error below
  }
  throw new Error(`${file} is not a valid generated-credentials file; delete it to generate new keys`);
}
