import { describe, expect, it } from "vitest";
import { routeNamer } from "@/server/route-names.mjs";

// The shape `next build` writes to .next/routes-manifest.json (dynamic routes most specific first).
const manifest = {
  staticRoutes: [{ page: "/" }, { page: "/settings/sessions" }, { page: "/api/sessions" }, { page: "/api/auth/session" }],
  dynamicRoutes: [
    { page: "/api/admin/users/[username]/[action]", regex: "^/api/admin/users/([^/]+?)/([^/]+?)(?:/)?$" },
    { page: "/api/sessions/[id]", regex: "^/api/sessions/([^/]+?)(?:/)?$" },
    { page: "/api/[[...path]]", regex: "^/api(?:/(.+?))?(?:/)?$" },
    { page: "/settings/sessions/[id]", regex: "^/settings/sessions/([^/]+?)(?:/)?$" },
    { page: "/[...missing]", regex: "^/(.+?)(?:/)?$" },
  ],
};

describe("the access line's route", () => {
  const routeOf = routeNamer(manifest, (pathname) => pathname === "/robots.txt");

  it("names static pages and handlers by their path, and dynamic ones by their pattern, without the ids", () => {
    expect(routeOf("/")).toBe("/");
    expect(routeOf("/settings/sessions")).toBe("/settings/sessions");
    expect(routeOf("/settings/sessions/")).toBe("/settings/sessions");
    expect(routeOf("/api/sessions/AbC123xyz")).toBe("/api/sessions/[id]");
    expect(routeOf("/api/admin/users/alice/disable")).toBe("/api/admin/users/[username]/[action]");
    expect(routeOf("/settings/sessions/AbC123xyz")).toBe("/settings/sessions/[id]");
  });

  it("gives addresses that name nothing their catch-all, and files and assets a name of their own", () => {
    expect(routeOf("/api/no/such/thing")).toBe("/api/[[...path]]");
    expect(routeOf("/nowhere")).toBe("/[...missing]");
    expect(routeOf("/robots.txt")).toBe("(file)");
    expect(routeOf("/_next/static/chunks/main.js")).toBe("/_next");
  });

  it("names nothing without a build", () => {
    expect(routeNamer({})("/api/sessions")).toBeNull();
  });
});
