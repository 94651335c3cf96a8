import { describe, expect, it } from "vitest";
import { OUTCOME_SEAL, OUTCOME_SHOWN_FOR_SECONDS, sealOutcome, verifiedQuery, withoutOutcome } from "@/lib/http/outcome";
import { SECRET_A, SECRET_B, testConfig } from "./helpers";

const query = (path: string) => Object.fromEntries(new URL(path, "http://x.invalid").searchParams);
const now = new Date("2026-12-06T12:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe("an action's outcome in a page's query", () => {
  const config = testConfig();

  it("is shown to the session it was done in, with the page's own state", () => {
    const path = sealOutcome(config, "session-a", "/admin/sessions?user=bob&done=user&count=3&doneUser=bob#top", now);
    expect(path).toMatch(new RegExp(`^/admin/sessions\\?user=bob&done=user&count=3&doneUser=bob&${OUTCOME_SEAL}=[^&#]+#top$`));
    expect(verifiedQuery(config, "session-a", query(path), later(5))).toEqual({ user: "bob", done: "user", count: "3", doneUser: "bob" });
  });

  it("is dropped when written by hand, for another session, edited, or old; the rest of the query stays", () => {
    const sealed = query(sealOutcome(config, "session-a", "/settings/sessions?revoked=1", now));
    const forged = { cursor: "abc", revoked: "1", signedOutOthers: "5", error: "current_session", alertDismissed: "1", done: "all", count: "9" };
    expect(verifiedQuery(config, "session-a", forged, now)).toEqual({ cursor: "abc" });
    expect(verifiedQuery(config, "session-b", sealed, now)).toEqual({});
    expect(verifiedQuery(config, null, sealed, now)).toEqual({});
    expect(verifiedQuery(config, "session-a", { ...sealed, signedOutOthers: "4" }, now)).toEqual({});
    expect(verifiedQuery(config, "session-a", { ...sealed, [OUTCOME_SEAL]: `${sealed[OUTCOME_SEAL]}x` }, now)).toEqual({});
    expect(verifiedQuery(config, "session-a", { ...sealed, [OUTCOME_SEAL]: "garbage" }, now)).toEqual({});
    expect(verifiedQuery(config, "session-a", sealed, later(OUTCOME_SHOWN_FOR_SECONDS))).toEqual({ revoked: "1" });
    expect(verifiedQuery(config, "session-a", sealed, later(OUTCOME_SHOWN_FOR_SECONDS + 1))).toEqual({});
    // A seal from the future (a clock moved back, or a forged time) is no seal.
    expect(verifiedQuery(config, "session-a", query(sealOutcome(config, "session-a", "/settings/sessions?revoked=1", later(120))), now)).toEqual({});
  });

  it("covers every outcome parameter, so one cannot be added beside a real seal", () => {
    const sealed = query(sealOutcome(config, "session-a", "/settings/sessions?revoked=1", now));
    expect(verifiedQuery(config, "session-a", { ...sealed, signedOutOthers: "12" }, now)).toEqual({});
    // Text typed into a form and kept for it (newlines and all) is covered as it is.
    const kept = query(sealOutcome(config, "session-a", "/admin/sessions?error=wrong_key&keptReason=a%0Ab", now));
    expect(verifiedQuery(config, "session-a", kept, now)).toEqual({ error: "wrong_key", keptReason: "a\nb" });
    expect(verifiedQuery(config, "session-a", { ...kept, keptReason: "a", keptConfirm: "b" }, now)).toEqual({});
  });

  it("verifies under every configured secret, so rotating DASHBOARD_SECRET keeps a fresh outcome", () => {
    const path = sealOutcome(testConfig({ DASHBOARD_SECRET: SECRET_B }), "session-a", "/settings/sessions?revoked=1", now);
    expect(verifiedQuery(testConfig({ DASHBOARD_SECRET: `${SECRET_A},${SECRET_B}` }), "session-a", query(path), now)).toEqual({ revoked: "1" });
    expect(verifiedQuery(testConfig(), "session-a", query(path), now)).toEqual({});
  });

  it("leaves a path with no outcome as it is, and withoutOutcome strips an old one before a new is added", () => {
    expect(sealOutcome(config, "session-a", "/settings/sessions?cursor=abc", now)).toBe("/settings/sessions?cursor=abc");
    expect(withoutOutcome(`/settings/sessions?cursor=abc&revoked=1&${OUTCOME_SEAL}=1.x&alertDismissed=1#s`)).toBe("/settings/sessions?cursor=abc#s");
    expect(withoutOutcome("/settings")).toBe("/settings");
  });
});
