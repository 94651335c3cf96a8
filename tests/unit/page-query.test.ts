import { describe, expect, it } from "vitest";
import { lenientQuery } from "@/lib/validation/page-query";
import { adminSessionsQuerySchema, eventsQuerySchema } from "@/lib/validation/admin";

describe("a page's filters read leniently", () => {
  it("leaves out only the filters that do not validate, and says why", () => {
    const sessions = lenientQuery(adminSessionsQuerySchema, { user: "bob", country: "Germany" });
    expect(sessions.data).toMatchObject({ user: "bob", state: "active" });
    expect(sessions.data.country).toBeUndefined();
    expect(sessions.problems).toEqual([expect.stringContaining("country")]);
    expect(sessions.valid).toEqual({ user: "bob" });
    expect(sessions.invalid).toEqual(["country"]);

    const events = lenientQuery(eventsQuerySchema, { user: "bob", from: "last tuesday" });
    expect(events.data).toMatchObject({ user: "bob" });
    expect(events.data.from).toBeUndefined();
    expect(events.problems).toHaveLength(1);
  });

  it("applies everything when everything validates, and nothing when what is left still breaks a rule", () => {
    expect(lenientQuery(adminSessionsQuerySchema, { user: "bob", country: "DE" })).toMatchObject({ data: { user: "bob", country: "DE" }, problems: [] });
    const outOfOrder = lenientQuery(adminSessionsQuerySchema, { user: "bob", signedInAfter: "2026-11-21", signedInBefore: "2026-11-20" });
    expect(outOfOrder.problems).not.toEqual([]);
    expect(outOfOrder.data.signedInAfter === undefined || outOfOrder.data.signedInBefore === undefined).toBe(true);
  });
});
