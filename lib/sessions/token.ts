import { hash } from "node:crypto";

/** 32 random bytes as 64 hex characters: the secret that only the user's cookie holds. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("hex");
}

/** What the database stores instead of the token: a leaked dump must not let anyone sign in. */
export function hashSessionToken(token: string): string {
  return hash("sha256", token, "hex");
}

/** The last 8 characters, kept for masked display (••••••••3f9a1c2e). */
export function tokenHint(token: string): string {
  return token.slice(-8);
}

/** Public identifier for URLs, the API and audit rows; unrelated to the token. */
export function generateId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64url");
}

/** A session token as generateSessionToken writes it (also part of the cookie's format). */
export const SESSION_TOKEN_PATTERN = "[0-9a-f]{64}";
const SESSION_TOKEN = new RegExp(`^${SESSION_TOKEN_PATTERN}$`);
export const isSessionToken = (value: string) => SESSION_TOKEN.test(value);
