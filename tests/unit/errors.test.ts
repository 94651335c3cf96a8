import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, errorMessage, fail, pageMessage, type ErrorCode } from "@/lib/errors";

describe("the error catalog", () => {
  it("keeps every code and status API clients depend on", () => {
    const statuses = Object.fromEntries(Object.entries(ERRORS).map(([code, entry]) => [code, entry.status]));
    expect(statuses).toEqual({
      invalid_input: 400,
      reason_required: 400,
      malformed_json: 400,
      malformed_body: 400,
      incomplete_body: 400,
      malformed_form: 400,
      malformed_router_state: 400,
      bad_request: 400,
      host_mismatch: 400,
      invalid_logout_token: 400,
      unauthenticated: 401,
      invalid_credentials: 401,
      metrics_unauthorized: 401,
      session_ended: 401,
      forbidden: 403,
      cross_site_request: 403,
      account_disabled: 403,
      sso_account: 403,
      reauthentication_required: 403,
      wrong_key: 403,
      not_found: 404,
      session_not_found: 404,
      user_not_found: 404,
      alert_not_found: 404,
      report_link_invalid: 404,
      sso_not_configured: 404,
      webhook_delivery_not_found: 404,
      method_not_allowed: 405,
      request_timeout: 408,
      current_session: 409,
      report_link_used: 409,
      cannot_disable_self: 409,
      confirmation_mismatch: 409,
      count_changed: 409,
      sso_account_conflict: 409,
      webhook_delivery_busy: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      rate_limited: 429,
      headers_too_large: 431,
      internal_error: 500,
      database_unavailable: 503,
      sso_unavailable: 503,
      // Shown on /login after the single sign-on callback; never an API answer.
      sso_cancelled: null,
      sso_expired: null,
      sso_state: null,
      sso_failed: null,
      sso_reauthentication_failed: null,
      invalid_reason: null,
    });
  });

  it("builds errors by code, with the catalog's status and wording", () => {
    const error = fail("session_not_found");
    expect([error.code, error.status, error.message]).toEqual([
      "session_not_found",
      404,
      "That session is no longer active: it may have expired or been revoked already.",
    ]);
    const limited = fail("rate_limited", { retryAfterSeconds: 90 });
    expect([limited.status, limited.retryAfterSeconds, limited.message]).toEqual([429, 90, "Too many failed sign-in attempts. Try again in 2 minutes."]);
    expect(errorMessage("method_not_allowed", { method: "TRACE", allow: "GET, HEAD" })).toBe("TRACE is not allowed here; this address accepts GET, HEAD");
    expect(errorMessage("session_ended", { reason: "revoked" })).toBe("Your session was revoked");
  });

  it("gives pages a sentence for every code a page can show, and nothing for codes it does not know", () => {
    const shownOnPages: ErrorCode[] = [
      ...(Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code].status === null),
      "invalid_input", "invalid_credentials", "account_disabled", "sso_account", "sso_not_configured", "sso_unavailable", "sso_account_conflict",
      "session_not_found", "user_not_found", "current_session", "reauthentication_required", "wrong_key", "rate_limited",
      "cannot_disable_self", "confirmation_mismatch",
    ];
    for (const code of shownOnPages) expect(pageMessage(code), code).toMatch(/^[A-Z].*[.”]$/);
    expect(pageMessage("rate_limited", { retryAfterSeconds: 60 })).toBe("Too many failed sign-in attempts. Try again in 1 minute.");
    expect(pageMessage("rate_limited")).toBe("Too many failed sign-in attempts. Try again later.");
    expect(pageMessage("toString")).toBeNull();
    expect(pageMessage("no_such_code")).toBeNull();
    expect(pageMessage(undefined)).toBeNull();
  });
});

describe("the answers server.mjs writes itself (plain JavaScript, before the app)", () => {
  const source = fs.readFileSync("server.mjs", "utf8");
  /** Every wording the catalog has for a code, with the details server.mjs gives it (a template's `${…}` as written there). */
  const wordings = (code: ErrorCode): string[] => {
    if (code === "bad_request") return (["target", "encoding", "http"] as const).map((problem) => errorMessage("bad_request", { problem }));
    if (code === "method_not_allowed") {
      return [errorMessage(code, { method: "${req.method}", allow: "GET, HEAD" }), errorMessage(code, { method: "CONNECT", allow: "" })];
    }
    const message = ERRORS[code].message;
    return typeof message === "string" ? [message] : [];
  };

  it("use the catalog's codes, statuses and words", () => {
    const calls = [...source.matchAll(/\b(?:errorAnswer|refuseWith|refuse)\((?:socket, )?(?:(\d{3}), )?"([a-z_]+)", (?:"([^"]*)"|`([^`]*)`)/g)];
    expect(calls.length).toBeGreaterThanOrEqual(10);
    for (const [call, status, code, plain, template] of calls) {
      expect(Object.hasOwn(ERRORS, code), call).toBe(true);
      if (status) expect(ERRORS[code as ErrorCode].status, call).toBe(Number(status));
      expect(wordings(code as ErrorCode), call).toContain(plain ?? template);
    }
    // Each of bad_request's three wordings is one server.mjs answers with.
    for (const words of wordings("bad_request")) expect(source).toContain(`"bad_request", "${words}"`);
  });
});
