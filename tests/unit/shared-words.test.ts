import { describe, expect, it } from "vitest";
import { AUTH_EVENT_TYPES } from "@/lib/audit";
import { eventsQuerySchema, usernameFilter } from "@/lib/validation/admin";
import { usernameSchema } from "@/lib/validation/auth";
import { USERNAME_PATTERN } from "@/lib/validation/username";

describe("words defined once", () => {
  it("every recorded event type can be filtered on", () => {
    for (const type of AUTH_EVENT_TYPES) expect(eventsQuerySchema.safeParse({ type }).success, type).toBe(true);
    expect(eventsQuerySchema.safeParse({ type: "login.maybe" }).success).toBe(false);
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
