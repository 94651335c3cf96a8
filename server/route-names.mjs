// The route a request path belongs to, as the build names it ("/api/sessions/[id]"): the access
// line's `route`, which groups requests by what answered them without the ids in their paths.
// Plain JavaScript, read by server.mjs from the build's routes manifest; shared with the tests.
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * From Next's routes-manifest.json (written by `next build`): the static pages and route handlers
 * by their path, then the dynamic ones by their regular expressions, most specific first as Next
 * itself tries them. Anything else (a file in public/, Next's own assets) is named by `fileRoute`.
 */
export function routeNamer(manifest, isFileAddress = () => false) {
  const fixed = new Set((manifest.staticRoutes ?? []).map((route) => route.page));
  const dynamic = (manifest.dynamicRoutes ?? []).map((route) => ({ page: route.page, pattern: new RegExp(route.regex) }));
  return (pathname) => {
    if (pathname.startsWith("/_next/")) return "/_next";
    if (isFileAddress(pathname)) return "(file)";
    // Next serves a page's path with or without one trailing slash.
    const bare = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    if (fixed.has(bare)) return bare;
    for (const { page, pattern } of dynamic) if (pattern.test(pathname)) return page;
    return null;
  };
}

/** The namer for the build in `distDir` (.next); one that names nothing when there is no manifest. */
export function routeNamerFor(distDir, isFileAddress) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(distDir, "routes-manifest.json"), "utf8"));
  } catch {
    return () => null;
  }
  return routeNamer(manifest, isFileAddress);
}
