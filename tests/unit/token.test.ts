import { describe, expect, it } from "vitest";
import { generateId, generateSessionToken, hashSessionToken, isSessionToken, tokenHint } from "@/lib/sessions/token";

describe("session tokens", () => {
  it("are 64 hex characters from 32 random bytes, never repeated", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(isSessionToken(token)).toBe(true);
  });

  it("are stored as their SHA-256 hash", () => {
    // SHA-256("abc") is a published test vector.
    expect(hashSessionToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const token = generateSessionToken();
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(token)).not.toContain(token);
  });

  it("keep only the last 8 characters as a display hint", () => {
    const token = generateSessionToken();
    expect(tokenHint(token)).toBe(token.slice(56));
    expect(tokenHint(token)).toHaveLength(8);
  });

  it("get a public id that is unrelated to the token", () => {
    const id = generateId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(generateId()).not.toBe(id);
  });
});
