import { describe, expect, it } from "vitest";
import { OUTCOME_SEAL, OUTCOME_SHOWN_FOR_SECONDS, sealOutcome, verifiedQuery, withoutOutcome } from "@/lib/http/outcome";
import { SECRET_A, SECRET_B, testConfig } from "./helpers";

const query = (path: string) => Object.fromEntries(new URL(path, "http://x.invalid").searchParams);
const now = new Date("2026-12-06T12:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const config = testConfig();
/** What the page at `path` believes of its own query, as `sessionId` looks at it. */
const believed = (sessionId: string | null, path: string, at = now, overrides: Record<string, string> = {}) =>
  verifiedQuery(config, sessionId, path, { ...query(path), ...overrides }, at);

describe("an action's outcome in a page's query", () => {
  it("is shown to the session it was done in, with the page's own state", () => {
    const path = sealOutcome(config, "session-a", "/admin/sessions?user=bob&done=user&count=3&doneUser=bob#top", now);
    expect(path).toMatch(new RegExp(`^/admin/sessions\\?user=bob&done=user&count=3&doneUser=bob&${OUTCOME_SEAL}=[^&#]+#top$`));
    expect(believed("session-a", path, later(5))).toEqual({ user: "bob", done: "user", count: "3", doneUser: "bob" });
  });

  it("is dropped when written by hand, for another session or page, edited, or old; the rest of the query stays", () => {
    expect(believed("session-a", "/settings/sessions?cursor=abc&revoked=1&signedOutOthers=5&error=current_session&alertDismissed=1&done=all&count=9")).toEqual({ cursor: "abc" });
    const sealed = sealOutcome(config, "session-a", "/settings/sessions?revoked=1", now);
    expect(believed("session-b", sealed)).toEqual({});
    expect(believed(null, sealed)).toEqual({});
    // The same seal on another page (the Admin Panel's pages share their outcome parameters).
    const admin = sealOutcome(config, "session-a", "/admin/sessions?done=all&count=12", now);
    expect(believed("session-a", admin.replace("/admin/sessions", "/admin/users"))).toEqual({});
    expect(believed("session-a", sealed, now, { signedOutOthers: "4" })).toEqual({});
    const seal = query(sealed)[OUTCOME_SEAL];
    const [issued, mac] = seal.split(".");
    const flipped = `${issued}.${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`;
    expect(believed("session-a", sealed, now, { [OUTCOME_SEAL]: flipped })).toEqual({});
    expect(believed("session-a", sealed, now, { [OUTCOME_SEAL]: `${Number(issued) + 1}.${mac}` })).toEqual({});
    expect(believed("session-a", sealed, now, { [OUTCOME_SEAL]: `${seal}x` })).toEqual({});
    expect(believed("session-a", sealed, now, { [OUTCOME_SEAL]: "garbage" })).toEqual({});
    expect(believed("session-a", sealed, later(OUTCOME_SHOWN_FOR_SECONDS))).toEqual({ revoked: "1" });
    expect(believed("session-a", sealed, later(OUTCOME_SHOWN_FOR_SECONDS + 1))).toEqual({});
    // A seal from the future (a clock moved back, or a forged time) is no seal.
    expect(believed("session-a", sealOutcome(config, "session-a", "/settings/sessions?revoked=1", later(120)))).toEqual({});
  });

  it("covers every outcome parameter, so one cannot be added beside a real seal", () => {
    const sealed = sealOutcome(config, "session-a", "/settings/sessions?revoked=1", now);
    expect(believed("session-a", sealed, now, { signedOutOthers: "12" })).toEqual({});
    // Text typed into a form and kept for it (newlines and all) is covered as it is.
    const kept = sealOutcome(config, "session-a", "/admin/sessions?error=wrong_key&keptReason=a%0Ab", now);
    expect(believed("session-a", kept)).toEqual({ error: "wrong_key", keptReason: "a\nb" });
    expect(believed("session-a", kept, now, { keptReason: "a", keptConfirm: "b" })).toEqual({});
  });

  it("verifies under every configured secret, so rotating DASHBOARD_SECRET keeps a fresh outcome", () => {
    const path = sealOutcome(testConfig({ DASHBOARD_SECRET: SECRET_B }), "session-a", "/settings/sessions?revoked=1", now);
    expect(verifiedQuery(testConfig({ DASHBOARD_SECRET: `${SECRET_A},${SECRET_B}` }), "session-a", path, query(path), now)).toEqual({ revoked: "1" });
    expect(believed("session-a", path)).toEqual({});
  });

  it("leaves a path with no outcome as it is, and withoutOutcome strips an old one before a new is added", () => {
    expect(sealOutcome(config, "session-a", "/settings/sessions?cursor=abc", now)).toBe("/settings/sessions?cursor=abc");
    expect(withoutOutcome(`/settings/sessions?cursor=abc&revoked=1&${OUTCOME_SEAL}=1.x&alertDismissed=1#s`)).toBe("/settings/sessions?cursor=abc#s");
    expect(withoutOutcome("/settings")).toBe("/settings");
  });
});
