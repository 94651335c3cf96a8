import { describe, expect, it } from "vitest";
import { AUTH_EVENT_TYPES } from "@/lib/audit";
import { AUDIT_EVENT_WORDS, auditEventWords } from "@/lib/audit-words";
import { eventsQuerySchema, usernameFilter } from "@/lib/validation/admin";
import { usernameSchema } from "@/lib/validation/auth";
import { USERNAME_PATTERN } from "@/lib/validation/username";

describe("words defined once", () => {
  it("every recorded event type can be filtered on", () => {
    for (const type of AUTH_EVENT_TYPES) expect(eventsQuerySchema.safeParse({ type }).success, type).toBe(true);
    expect(eventsQuerySchema.safeParse({ type: "login.maybe" }).success).toBe(false);
  });

  it("every event type has its words on the pages, distinct, and an unknown one shows its code", () => {
    for (const type of AUTH_EVENT_TYPES) expect(auditEventWords({ type }), type).not.toBe(type);
    expect(new Set(Object.values(AUDIT_EVENT_WORDS)).size).toBe(AUTH_EVENT_TYPES.length);
    expect(auditEventWords({ type: "login.maybe" })).toBe("login.maybe");
  });

  it("an event's words name who did it and why a session expired", () => {
    expect(auditEventWords({ type: "login.succeeded", actor: "alice" })).toBe("Signed in");
    expect(auditEventWords({ type: "login.failed" })).toBe("Sign-in failed");
    expect(auditEventWords({ type: "logout", actor: "alice" })).toBe("Signed out");
    expect(auditEventWords({ type: "session.revoked", actor: "alice" })).toBe("Session revoked by alice");
    expect(auditEventWords({ type: "session.revoked", actor: "cli" })).toBe("Session revoked by the operator CLI");
    expect(auditEventWords({ type: "session.revoked", actor: "idp" })).toBe("Session revoked by the identity provider");
    expect(auditEventWords({ type: "session.revoked" })).toBe("Session revoked");
    expect(auditEventWords({ type: "session.expired", actor: "system", detail: "idle timeout" })).toBe("Session expired (idle)");
    expect(auditEventWords({ type: "session.expired", detail: "absolute lifetime reached" })).toBe("Session expired (maximum length)");
    expect(auditEventWords({ type: "session.expired", detail: null })).toBe("Session expired");
    expect(auditEventWords({ type: "sessions.revoked_all", actor: "root" })).toBe("Everyone signed out by root");
  });

  it("sign-in, the admin filters and the login form's pattern accept the same usernames", () => {
    const form = new RegExp(`^(?:${USERNAME_PATTERN})$`);
    for (const name of ["alice", " Bob@Example.com ", "a.b_c-d", "x".repeat(64), "x".repeat(65), "", "a b", "ünï", "a/b"]) {
      const signIn = usernameSchema.safeParse(name);
      expect(usernameFilter.safeParse(name).success, name).toBe(signIn.success);
      if (name === name.trim() && name.length <= 64) expect(form.test(name), name).toBe(signIn.success);
    }
    expect(usernameSchema.parse(" Bob@Example.com ")).toBe("bob@example.com");
  });
});
