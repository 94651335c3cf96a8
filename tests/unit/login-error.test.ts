import { describe, expect, it } from "vitest";
import { loginErrorCookie, loginErrorCookieName, loginErrorHolds } from "@/lib/auth/login-error";
import { SECRET_A, SECRET_B, testConfig } from "./helpers";

describe("the cookie behind /login's ?error=", () => {
  const config = testConfig();

  it("lets the page say the error the redirect set, and only that one", () => {
    const { name, value, options } = loginErrorCookie(config, "invalid_credentials", undefined);
    expect(name).toBe(loginErrorCookieName(config));
    expect(options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", maxAge: 300 });
    expect(loginErrorHolds(config, value, "invalid_credentials", undefined)).toBe(true);
    expect(loginErrorHolds(config, value, "account_disabled", undefined)).toBe(false);
    expect(loginErrorHolds(config, value, "invalid_credentials", "60")).toBe(false);
    const limited = loginErrorCookie(config, "rate_limited", "120").value;
    expect(loginErrorHolds(config, limited, "rate_limited", "120")).toBe(true);
    expect(loginErrorHolds(config, limited, "rate_limited", "99999")).toBe(false);
  });

  it("says nothing without the cookie, or with one that is not ours", () => {
    const { value } = loginErrorCookie(config, "invalid_credentials", undefined);
    for (const cookie of [undefined, "", "garbage", `${value}x`, value.slice(1), `${value[0] === "A" ? "B" : "A"}${value.slice(1)}`]) {
      expect(loginErrorHolds(config, cookie, "invalid_credentials", undefined)).toBe(false);
    }
  });

  it("is a __Host- cookie on https, and verifies under every configured secret", () => {
    expect(loginErrorCookieName(testConfig({ DASHBOARD_URL: "https://sessions.example.com" }))).toBe("__Host-login_error");
    const old = loginErrorCookie(testConfig({ DASHBOARD_SECRET: SECRET_B }), "sso_failed", undefined).value;
    expect(loginErrorHolds(testConfig({ DASHBOARD_SECRET: `${SECRET_A},${SECRET_B}` }), old, "sso_failed", undefined)).toBe(true);
    expect(loginErrorHolds(config, old, "sso_failed", undefined)).toBe(false);
  });
});
