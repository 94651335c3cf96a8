import { NextResponse } from "next/server";
import type { Config } from "../config";

/**
 * `path` (with its query) on the address people use, DASHBOARD_URL. Never derived from the
 * request: behind a reverse proxy or load balancer the request's URL names the replica (for
 * example http://localhost:3000), which a browser cannot reach.
 */
export const publicUrlFor = (config: Config, path: string): URL => new URL(path, config.publicUrl);

/** A 303 See Other: to a path on the public address, or to an absolute URL (the identity provider). */
export function seeOther(config: Config, target: string | URL): NextResponse {
  return NextResponse.redirect(typeof target === "string" ? publicUrlFor(config, target) : target, 303);
}
